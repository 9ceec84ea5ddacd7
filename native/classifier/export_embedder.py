"""Exports a BERT sentence-embedding checkpoint (all-MiniLM-L6-v2) to ONNX for onnxruntime-node.

Usage: python export_embedder.py MODEL_DIR OUT_DIR [--fp32] [--base NAME] [--adapter FILE]

OUT_DIR receives model.onnx, vocab.txt and embedder.json, the folder src/embeddings/minilm-onnx.ts
loads. The graph takes input_ids and attention_mask ([batch, tokens], int64) and gives `embedding`
([batch, hidden], float32): the mean of the last hidden states over the unmasked tokens, L2
normalised, as sentence-transformers computes it (its pooling and Normalize modules). It runs in
the token classifier's venv (torch, transformers, onnx, onnxruntime), on the classic BERT graph the
classifier's export uses (train.classic_encode), and is checked against transformers' own model
before and after int8 quantisation. The folder is written beside OUT_DIR and renamed into place, so
a reader never sees half of it. With --adapter, a memory adapter (memory_adapter.py) is folded into
the weights first, and embedder.json names it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train  # noqa: E402  (classic_encode, the graph onnxruntime runs fastest; quantize_int8)

# sentence-transformers' max_seq_length for all-MiniLM-L6-v2: the window the Node side cuts texts to.
MAX_SEQ_LENGTH = 256


def mean_pooled(hidden: Any, attention_mask: Any, torch: Any) -> Any:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * mask).sum(dim=1)
    counts = torch.clamp(mask.sum(dim=1), min=1e-9)
    return torch.nn.functional.normalize(summed / counts, p=2, dim=-1)


def embedder_modules(model: Any, torch: Any) -> tuple[Any, Any]:
    """(classic graph, transformers reference): the same sentence vectors, two ways."""

    class Classic(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.bert = inner
            self.heads = inner.config.num_attention_heads

        def forward(self, input_ids, attention_mask):
            hidden = train.classic_encode(self.bert, self.heads, input_ids, attention_mask, torch)
            return mean_pooled(hidden, attention_mask, torch)

    class Reference(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pooled(hidden, attention_mask, torch)

    return Classic(model).eval(), Reference(model).eval()


def check_embedding(path: Path, reference: Any, torch: Any, min_cosine: float, vocab_size: int) -> float:
    """The export loads in onnxruntime and gives one unit vector per row, each within `min_cosine` of
    the reference's (fp32: rounding only; int8: the quantisation's error), padding included. Returns
    the lowest cosine seen."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(7)
    ids = rng.integers(min(1000, vocab_size // 2), vocab_size, size=(4, 24), dtype=np.int64)
    lengths = np.array([24, 17, 6, 3])
    ids[:, 0] = 101
    ids[np.arange(4), lengths - 1] = 102
    mask = (np.arange(24)[None, :] < lengths[:, None]).astype(np.int64)
    ids = ids * mask
    (got,) = session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
    with torch.no_grad():
        expected = reference(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    if got.shape != expected.shape:
        raise RuntimeError(f"the exported model gives {got.shape}, not {expected.shape}")
    norms = np.linalg.norm(got, axis=1)
    if not np.all(np.abs(norms - 1) < 1e-3):
        raise RuntimeError(f"the exported vectors are not unit length: {norms}")
    lowest = float((got * expected).sum(axis=1).min())
    if lowest < min_cosine:
        raise RuntimeError(f"the exported model's vectors are {lowest:.5f} from torch's by cosine (under {min_cosine})")
    return lowest


def export(model_dir: Path, out_dir: Path, quantize: bool, base: str | None = None, adapter: Path | None = None) -> dict[str, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    adapted: dict[str, Any] | None = None
    if adapter is not None:
        import memory_adapter

        adapted = {"file": adapter.name, "sha256": hashlib.sha256(adapter.read_bytes()).hexdigest(), **memory_adapter.merge(model, adapter)}
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    if model.config.model_type != "bert":
        raise SystemExit(f"{model_dir} is a {model.config.model_type} model: only BERT encoders are exported")
    classic, reference = embedder_modules(model, torch)
    tmp = out_dir.with_name(out_dir.name + f".{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        full = tmp / "model.fp32.onnx"
        sample = (torch.ones((1, 8), dtype=torch.long), torch.ones((1, 8), dtype=torch.long))
        torch.onnx.export(
            classic,
            sample,
            str(full),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
            verbose=False,
        )
        vocab_size = model.config.vocab_size
        fp32_cosine = check_embedding(full, reference, torch, min_cosine=0.99999, vocab_size=vocab_size)
        if quantize:
            # int8 weights, one scale per output channel: ~1.6x faster on the CPU, a quarter of the size.
            train.quantize_int8(full, tmp / "model.onnx")
            full.unlink()
        else:
            os.replace(full, tmp / "model.onnx")
        final_cosine = check_embedding(
            tmp / "model.onnx", reference, torch, min_cosine=0.97 if quantize else 0.99999, vocab_size=vocab_size
        )
        vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
        (tmp / "vocab.txt").write_text("".join(piece + "\n" for piece, _ in vocab), encoding="utf-8")
        meta = {
            "version": 1,
            "kind": "sentence-embedder",
            "base": base or model_dir.name,
            "dimensions": model.config.hidden_size,
            "maxSeqLength": MAX_SEQ_LENGTH,
            "layers": model.config.num_hidden_layers,
            "quantized": quantize,
            "doLowerCase": bool(getattr(tokenizer, "do_lower_case", True)),
            "pooling": "mean",
            "normalized": True,
            "inputs": ["input_ids", "attention_mask"],
            "output": "embedding",
            "checkedCosine": {"fp32": round(fp32_cosine, 6), "final": round(final_cosine, 6)},
            **({"adapter": adapted} if adapted else {}),
            # What the vectors were made by: the cache of vectors is keyed on it, not on a folder name.
            "weightsSha256": hashlib.sha256((tmp / "model.onnx").read_bytes()).hexdigest(),
        }
        (tmp / "embedder.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
        return meta
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--fp32", action="store_true", help="keep float32 weights (no int8 quantisation)")
    parser.add_argument("--base", help="the model's name for embedder.json (default: the folder's name)")
    parser.add_argument("--adapter", type=Path, help="a memory adapter (memory_adapter.py) to fold into the weights first")
    args = parser.parse_args(argv)
    if args.adapter is not None and not args.adapter.is_file():
        print(f"{args.adapter}: no such adapter file", file=sys.stderr)
        return 2
    if not (args.model_dir / "config.json").is_file():
        print(f"{args.model_dir}: no config.json (not a Hugging Face model folder)", file=sys.stderr)
        return 2
    meta = export(args.model_dir, args.out_dir, quantize=not args.fp32, base=args.base, adapter=args.adapter)
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
