"""Which device a backend runs on: shared by every backend, importing none of them."""

from __future__ import annotations

import os

from translate.errors import TranslateError


def pick_device(requested: str, *, cuda: bool, engine: str) -> str:
    """Resolve ``auto`` to cuda or cpu; refuse cuda where ``engine`` sees no GPU."""
    if requested == "auto":
        return "cuda" if cuda else "cpu"
    if requested.startswith("cuda") and not cuda:
        raise TranslateError(f"--device {requested} was asked for but {engine} sees no CUDA GPU; use --device cpu")
    return requested


_INSTRUCTION_SETS = {
    "avx2": "AVX2",
    "avx512f": "AVX-512",
    "avx512_vnni": "AVX-512 VNNI",
    "avx_vnni": "AVX-VNNI",
    "avx512_bf16": "AVX-512 BF16",
    "amx_int8": "AMX-INT8",
}


_ONEDNN_BELOW_AVX512 = {"SSE41": (), "AVX": (), "AVX2": ("AVX2",), "AVX2_VNNI": ("AVX2", "AVX-VNNI")}
"""``ONEDNN_MAX_CPU_ISA`` values that keep CTranslate2's int8 kernels (oneDNN) off AVX-512, and what they leave."""


def cpu_instruction_sets() -> list[str]:
    """The CPU's instruction sets that decide int8 speed and rounding (AVX2, AVX-512, VNNI...), from /proc/cpuinfo.

    Empty where /proc/cpuinfo is not there (not Linux) or names none of them.
    Where ``ONEDNN_MAX_CPU_ISA`` (or its old name ``DNNL_MAX_CPU_ISA``) keeps
    oneDNN, which runs CTranslate2's int8 products, below AVX-512, the sets
    it rules out are left out: they are not what the model runs on.
    """
    found: list[str] = []
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    flags = set(value.split())
                    found = [label for flag, label in _INSTRUCTION_SETS.items() if flag in flags]
                    break
    except OSError:
        pass
    limit = (os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or "").upper()
    allowed = next((kept for name, kept in _ONEDNN_BELOW_AVX512.items() if limit in (name, name + "_2")), None)
    return found if allowed is None else [label for label in found if label in allowed]
