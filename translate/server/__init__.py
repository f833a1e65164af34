"""``tarjama serve``: LibreTranslate's API and tarjama's own over one model, sentences of requests batched together.

- :mod:`~translate.server.app`: the ASGI app; :mod:`~translate.server.server`: what its routes share;
- :mod:`~translate.server.libretranslate` and :mod:`~translate.server.api`: the routes (parse, validate, answer);
- :mod:`~translate.server.scheduler`: what a batch is, across requests;
- :mod:`~translate.server.service`: the translators over the scheduler;
- :mod:`~translate.server.limits`: bodies, rates, characters; :mod:`~translate.server.keys`: API keys (hashed);
- :mod:`~translate.server.corrections`: who may change what everyone is served, and suggestions.

Nothing here imports :mod:`ui`; the ``serve`` command mounts the reader when it is installed. Importing this
package imports neither the web stack nor the model.
"""
