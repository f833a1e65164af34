"""Hostile text for escaping tests: markup, script URLs, entities and bidi tricks.

Every active payload would call ``alert`` or set ``window.__pwned`` if it ever
ran, so a browser test can tell.
"""

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '"><svg/onload=window.__pwned=1>',
    '<a href="javascript:alert(1)">link</a>',
    "<iframe src=\"javascript:alert('x')\"></iframe>",
    "<details open ontoggle=alert(1)>",
    "</div></section><script>window.__pwned=2</script>",
    "<style>*{display:none}</style>",
    "&lt;b&gt; &amp; &#60;script&#62;alert(1)&#60;/script&#62;",
    "\u202eبالعكس\u202c \u2066<b>x</b>\u2069",
    "\" onmouseover='alert(1)' x=\"",
    "{{7*7}} ${alert(1)} `alert(1)`",
]
