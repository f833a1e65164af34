"""Very long input: a 5,000-word sentence with no punctuation and a 2 MB article.

Nothing may be cut: every source word must reach the model in some piece,
and memory must not grow with the length of the input beyond the text itself.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from fixture_model import EXACT_COMPUTE_TYPE, exact_model_args
from recording import CountingBackend

from translate import TranslationOptions, Translator, read_tsv
from translate.segment import count_sentences
from translate.translator import QUALITY_PIECE_TOKENS

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "khan-tuman.ar.txt"


def _unpunctuated_sentence(words: int) -> str:
    vocabulary = sorted(set(re.findall(r"[\u0621-\u064a]+", SEED.read_text(encoding="utf-8"))))
    rng = random.Random(5)
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def test_a_5000_word_sentence_is_translated_whole(model_dir: Path) -> None:
    sentence = _unpunctuated_sentence(5000)
    counting = CountingBackend(Translator(model_dir, TranslationOptions(beam=1, backend="ctranslate2")).backend)
    translator = Translator(options=TranslationOptions(beam=1), backend=counting)
    pairs, info = translator.translate(sentence)
    (pair,) = list(pairs)  # one sentence in, one pair out
    assert info.sentences == 1 and pair.source == sentence
    pieces = [text for texts, controls, _ in counting.calls if controls is None for text in texts]
    assert pair.pieces == len(pieces) == info.pieces > 5000 // 200
    # Every word reaches the model exactly once, in a piece the model can take.
    assert Counter(word for piece in pieces for word in piece.split()) == Counter(sentence.split())
    assert all(piece in sentence for piece in pieces)
    assert max(counting.count_tokens(pieces)) <= QUALITY_PIECE_TOKENS
    # The English is every piece's translation, in source order (retries replacing first attempts).
    final = {t: h.text for texts, _, hyps in counting.calls for t, h in zip(texts, hyps, strict=True) if h.text}
    in_order = sorted(pieces, key=sentence.index)
    assert pair.target == " ".join(final[p] for p in in_order if p in final)
    assert len(final) == len(pieces)


def _peak_rss_mb(tmp_path: Path, article: Path, model_dir: Path) -> tuple[float, Path]:
    """Run ``tarjama translate`` on ``article`` in a fresh process; return its peak RSS and the TSV."""
    out = tmp_path / (article.stem + ".tsv")
    script = (
        "import re, sys\n"
        "from translate.cli import main\n"
        "code = main(sys.argv[1:])\n"
        # VmHWM, not ru_maxrss: ru_maxrss keeps the peak of the forked test process from before exec.
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    # One CTranslate2 worker: two workers' peak depends on whether their biggest batches run at the same
    # moment (30 MB either way from run to run), which is not what this measures.
    args = [str(article), "-o", str(out), *exact_model_args(model_dir), "--beam", "1", "-q", "--threads", "1"]
    args += ["--cache", str(tmp_path / f"{article.stem}.sqlite3")]
    done = subprocess.run(
        [sys.executable, "-c", script, "translate", *args], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return int(done.stderr.strip().splitlines()[-1]) / 1024, out


def test_a_2mb_article_with_bounded_memory(tmp_path: Path, model_dir: Path, seed_pairs) -> None:
    seed = SEED.read_text(encoding="utf-8").strip()
    copies = 2_000_000 // len(seed.encode()) + 1
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    # Enough sentences to fill the biggest batches too: the growth measured is the article's, not a batch's.
    small.write_text("\n".join([seed] * 40) + "\n", encoding="utf-8")
    big.write_text("\n".join([seed] * copies) + "\n", encoding="utf-8")
    assert big.stat().st_size >= 2_000_000

    # Convert once here, not in the measured runs.
    Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type=EXACT_COMPUTE_TYPE))
    small_peak, _ = _peak_rss_mb(tmp_path, small, model_dir)
    big_peak, out = _peak_rss_mb(tmp_path, big, model_dir)
    growth = big_peak - small_peak
    print(f"peak RSS: {small_peak:.0f} MB for 200 kB, {big_peak:.0f} MB for 2 MB (+{growth:.0f} MB)")
    # The 2 MB text itself, its sentences and their model-ready copies take about 20 MB; anything that
    # kept translations, batches or model outputs around for the whole article would take far more.
    assert growth < 60

    pairs = list(read_tsv(io.StringIO(out.read_text(encoding="utf-8"))))
    text = big.read_text(encoding="utf-8")
    assert len(pairs) == count_sentences(text) == 12 * copies
    assert [(p.source, p.target) for p in pairs] == seed_pairs * copies
    assert "".join("".join(p.source.split()) for p in pairs) == "".join(text.split())  # nothing lost
