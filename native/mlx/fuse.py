"""Fuses a LoRA adapter into its base model and saves a dequantized Hugging Face checkpoint folder.

    python fuse.py --model BASE --adapter-path ADAPTER_DIR --save-path OUT_DIR

mlx-lm's own fuse, in-process, always dequantized: llama.cpp's converter (src/training/
gguf-converter.ts) then turns OUT_DIR into a GGUF. Not `mlx_lm fuse --export-gguf`: it writes
a GGUF that llama.cpp rejects for byte-level BPE tokenizers, and knows only three architectures.
Prints one JSON line on success, {"type": "fused", "path": OUT_DIR}; errors go to stderr with
exit code 1 (2 for a missing folder).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="the base model folder (or Hugging Face repo id)")
    parser.add_argument("--adapter-path", required=True, type=Path, help="holds adapters.safetensors + adapter_config.json")
    parser.add_argument("--save-path", required=True, type=Path)
    args = parser.parse_args(argv)
    for name in ("adapters.safetensors", "adapter_config.json"):
        if not (args.adapter_path / name).is_file():
            print(f"{args.adapter_path} has no {name}", file=sys.stderr)
            return 2

    events = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # mlx-lm prints progress: keep stdout for the result line

    from mlx.utils import tree_unflatten
    from mlx_lm.utils import dequantize_model, load, save

    model, tokenizer, config = load(args.model, adapter_path=str(args.adapter_path), return_config=True)
    fused = [(name, module.fuse(dequantize=True)) for name, module in model.named_modules() if hasattr(module, "fuse")]
    if fused:
        model.update_modules(tree_unflatten(fused))
    model = dequantize_model(model)
    config.pop("quantization", None)
    config.pop("quantization_config", None)

    tmp = args.save_path.with_name(args.save_path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save(tmp, args.model, model, tokenizer, config, donate_model=False)
    shutil.rmtree(args.save_path, ignore_errors=True)
    os.replace(tmp, args.save_path)
    events.write(json.dumps({"type": "fused", "path": str(args.save_path)}) + "\n")
    events.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
