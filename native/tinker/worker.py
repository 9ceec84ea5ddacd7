"""Supervised LoRA training on Tinker, driven by Compression Studio.

Run from the venv that src/training/tinker.ts builds from requirements.txt:

    python worker.py --data-dir DIR --out-dir DIR --config JSON
        [--hf-model-dir DIR] [--gguf-python PY --gguf-script convert_lora_to_gguf.py]
        [--fake-service]

Reads the exported chat JSONL (DIR/train.jsonl, optional DIR/valid.jsonl; one
{"messages": [system, user, assistant]} per line), picks the base model from the server's
supported models, trains a LoRA adapter with loss on the assistant turn only (the cookbook's
renderer for that model decides which tokens those are), then downloads the final adapter and
converts it to PEFT and, when a converter is given, to a GGUF LoRA adapter.

stdout carries JSON lines only, one TrainingEvent (src/contracts/training.ts) per line;
everything else (the SDK's logging, library prints) goes to stderr. SIGTERM stops training at
the next step, saves the state and ends with `done` and cancelled=true.

`--fake-service` replaces the SDK's clients with the in-process stand-ins of fake_tinker.py.
Only tests pass it.

Exit codes: 0 done (also when cancelled), 1 a failure while training, 2 bad input (dataset,
config, key, model).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROLES = ("system", "user", "assistant")
# Validation loss is measured on at most this many examples, so it stays cheap on big sets.
MAX_VAL_EXAMPLES = 256


class InputProblem(Exception):
    """Bad input: the message says where (file:line) and what. Exit code 2."""


# ---------------------------------------------------------------- events


class Events:
    """Writes TrainingEvent JSON lines to the real stdout, which nothing else may use."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def emit(self, type_: str, **fields: Any) -> None:
        event = {"type": type_, **{k: v for k, v in fields.items() if v is not None}}
        self._stream.write(json.dumps(event, allow_nan=False) + "\n")
        self._stream.flush()

    def log(self, message: str) -> None:
        self.emit("log", message=message)


def claim_stdout() -> TextIO:
    """Keeps fd 1 for events and points the process's own stdout at stderr, so a print in a
    library (or in C code) can never corrupt the protocol."""
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)


# ---------------------------------------------------------------- config


@dataclass
class TinkerConfig:
    """TinkerTrainingSchema in src/contracts/training.ts (the Node side has applied defaults)."""

    base_model: str = ""
    prefer_models: list[str] = field(default_factory=lambda: ["Qwen/Qwen3-8B"])
    lora_rank: int = 32
    learning_rate: float = 1e-4
    batch_size: int = 32
    epochs: int = 1
    max_length: int = 4096
    save_every: int = 20
    api_key_env: str = "TINKER_API_KEY"
    base_url_env: str = "TINKER_BASE_URL"

    @classmethod
    def from_json(cls, text: str) -> TinkerConfig:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputProblem(f"--config is not JSON: {e}") from e
        if not isinstance(raw, dict):
            raise InputProblem("--config must be a JSON object")
        names = {
            "baseModel": "base_model",
            "preferModels": "prefer_models",
            "loraRank": "lora_rank",
            "learningRate": "learning_rate",
            "batchSize": "batch_size",
            "epochs": "epochs",
            "maxLength": "max_length",
            "saveEvery": "save_every",
            "apiKeyEnv": "api_key_env",
            "baseUrlEnv": "base_url_env",
        }
        unknown = sorted(set(raw) - set(names))
        if unknown:
            raise InputProblem(f"--config has unknown keys: {', '.join(unknown)}")
        config = cls(**{names[k]: v for k, v in raw.items()})
        for name in ("lora_rank", "batch_size", "epochs", "max_length", "save_every"):
            value = getattr(config, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputProblem(f"config {name} must be a positive integer, got {value!r}")
        if not isinstance(config.learning_rate, (int, float)) or config.learning_rate <= 0:
            raise InputProblem(f"config learningRate must be positive, got {config.learning_rate!r}")
        return config


# ---------------------------------------------------------------- dataset


def read_conversations(path: Path) -> list[list[dict[str, str]]]:
    """Reads one exported split. Every line must be {"messages": [...]} with string contents,
    roles among system/user/assistant and an assistant message last (the one that is trained
    on). Blank lines are skipped. Any other line raises InputProblem naming file:line."""
    conversations: list[list[dict[str, str]]] = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputProblem(f"{where}: not valid JSON ({e.msg})") from e
            messages = row.get("messages") if isinstance(row, dict) else None
            if not isinstance(messages, list) or not messages:
                raise InputProblem(f'{where}: expected {{"messages": [...]}} with at least one message')
            conversation = []
            for i, message in enumerate(messages):
                if not isinstance(message, dict):
                    raise InputProblem(f"{where}: messages[{i}] is not an object")
                role, content = message.get("role"), message.get("content")
                if role not in ROLES:
                    raise InputProblem(f"{where}: messages[{i}].role must be one of {', '.join(ROLES)}")
                if not isinstance(content, str):
                    raise InputProblem(f"{where}: messages[{i}].content must be a string")
                conversation.append({"role": role, "content": content})
            if conversation[-1]["role"] != "assistant":
                raise InputProblem(f"{where}: the last message must be the assistant's (the compressed text)")
            conversations.append(conversation)
    return conversations


def load_splits(data_dir: Path) -> tuple[list[list[dict[str, str]]], list[list[dict[str, str]]]]:
    train_file = data_dir / "train.jsonl"
    if not train_file.is_file():
        raise InputProblem(f"{train_file} does not exist: export a dataset first")
    train = read_conversations(train_file)
    if not train:
        raise InputProblem(f"{train_file} has no examples")
    valid_file = data_dir / "valid.jsonl"
    valid = read_conversations(valid_file) if valid_file.is_file() else []
    return train, valid


# ---------------------------------------------------------------- model choice


def supported_models(capabilities: Any) -> list[str]:
    """The trainable model names of a GetServerCapabilitiesResponse, in the server's order."""
    return [
        m.model_name
        for m in capabilities.supported_models
        if m.model_name and getattr(m, "trainable", None) is not False
    ]


def choose_model(available: list[str], base_model: str, prefer: list[str]) -> str:
    if base_model:
        if base_model in available:
            return base_model
        raise InputProblem(
            f"base model {base_model} is not offered by this Tinker server; available: {', '.join(available) or 'none'}"
        )
    for name in prefer:
        if name in available:
            return name
    raise InputProblem(
        f"none of the preferred models ({', '.join(prefer) or 'none given'}) is offered by this Tinker server; "
        f"set baseModel to one of: {', '.join(available) or 'none'}"
    )


# ---------------------------------------------------------------- training


class StopFlag:
    """Set by SIGTERM/SIGINT; the loop looks at it before each step."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        def handler(signum: int, _frame: Any) -> None:
            self.requested = True

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def make_service(config: TinkerConfig, env: dict[str, str], fake: bool, out_dir: Path) -> Any:
    if fake:
        import fake_tinker

        return fake_tinker.FakeServiceClient.from_env(env, out_dir)
    api_key = env.get(config.api_key_env, "").strip()
    if not api_key:
        raise InputProblem(f"no Tinker API key: set {config.api_key_env}")
    import tinker

    base_url = env.get(config.base_url_env, "").strip() or None
    return tinker.ServiceClient(api_key=api_key, base_url=base_url, display_name="compression-studio")


def build_datums(conversations: list[list[dict[str, str]]], renderer: Any, max_length: int) -> list[Any]:
    from tinker_cookbook.renderers import TrainOnWhat
    from tinker_cookbook.supervised.data import conversation_to_datum

    return [
        conversation_to_datum(c, renderer, max_length, train_on_what=TrainOnWhat.LAST_ASSISTANT_MESSAGE)
        for c in conversations
    ]


def mean_nll(output: Any, batch: list[Any]) -> float:
    from tinker_cookbook.supervised.common import compute_mean_nll

    logprobs = [o["logprobs"] for o in output.loss_fn_outputs]
    weights = [d.loss_fn_inputs["weights"] for d in batch]
    return float(compute_mean_nll(logprobs, weights))


def train(args: argparse.Namespace, events: Events, stop: StopFlag) -> int:
    config = TinkerConfig.from_json(args.config)
    data_dir, out_dir = Path(args.data_dir), Path(args.out_dir)
    train_rows, valid_rows = load_splits(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    service = make_service(config, dict(os.environ), args.fake_service, out_dir)
    rest = service.create_rest_client()
    available = supported_models(rest.get_server_capabilities().result())
    model = choose_model(available, config.base_model, config.prefer_models)
    events.log(f"base model {model} (server offers: {', '.join(available)})")

    import tinker
    from tinker_cookbook import model_info, renderers
    from tinker_cookbook.tokenizer_utils import get_tokenizer
    from tinker_cookbook.utils.lr_scheduling import compute_schedule_lr_multiplier

    renderer_name = model_info.get_recommended_renderer_name(model)
    renderer = renderers.get_renderer(renderer_name, get_tokenizer(model), model_name=model)
    train_data = build_datums(train_rows, renderer, config.max_length)
    valid_data = build_datums(valid_rows[:MAX_VAL_EXAMPLES], renderer, config.max_length)
    events.log(f"renderer {renderer_name}: {len(train_data)} training and {len(valid_data)} validation examples")

    batch_size = min(config.batch_size, len(train_data))
    batches_per_epoch = len(train_data) // batch_size
    total = batches_per_epoch * config.epochs

    training = service.create_lora_training_client(base_model=model, rank=config.lora_rank).result()
    events.emit("start", runner="tinker", baseModel=model, totalIters=total, startIter=0)

    def validate(step: int) -> None:
        if valid_data:
            output = training.forward(valid_data, "cross_entropy").result()
            loss = mean_nll(output, valid_data)
            if math.isfinite(loss):
                events.emit("val", iter=step, loss=loss)

    state_paths: list[str] = []

    def save(name: str, step: int) -> str:
        path = training.save_state(name).result().path
        state_paths.append(path)
        events.emit("checkpoint", iter=step, path=path)
        return path

    step, trained_tokens, saved_at = 0, 0, -1
    rng = random.Random(0)
    order = list(range(len(train_data)))
    validate(0)
    for epoch in range(config.epochs):
        rng.shuffle(order)
        for b in range(batches_per_epoch):
            if stop.requested:
                break
            batch = [train_data[i] for i in order[b * batch_size : (b + 1) * batch_size]]
            lr = config.learning_rate * compute_schedule_lr_multiplier("linear", step, total)
            started = time.monotonic()
            fwd_bwd = training.forward_backward(batch, "cross_entropy")
            optim = training.optim_step(tinker.AdamParams(learning_rate=lr, beta1=0.9, beta2=0.95, eps=1e-8))
            output = fwd_bwd.result()
            optim.result()
            seconds = max(time.monotonic() - started, 1e-9)
            tokens = sum(d.model_input.length for d in batch)
            trained_tokens += tokens
            step += 1
            loss = mean_nll(output, batch)
            if math.isfinite(loss):
                events.emit(
                    "train",
                    iter=step,
                    loss=loss,
                    learningRate=lr,
                    tokensPerSec=tokens / seconds,
                    itersPerSec=1 / seconds,
                    trainedTokens=trained_tokens,
                )
            else:  # no token of the batch carried weight: there is no loss to report
                events.log(f"step {step}: loss is {loss}")
            if step % config.save_every == 0 and step < total:
                save(f"step-{step:06d}", step)
                saved_at = step
                validate(step)
        if stop.requested:
            break

    if stop.requested:
        # The state is kept on Tinker (resumable there); the adapter is not downloaded.
        path = save(f"step-{step:06d}", step) if saved_at != step else state_paths[-1]
        events.emit("done", iter=step, adapterPath=path, cancelled=True)
        close(service, "interrupted")
        return 0

    validate(step)
    save("final", step)
    sampler = training.save_weights_for_sampler("final").result().path
    events.emit("checkpoint", iter=step, path=sampler)
    adapter_dir = download_adapter(training, rest, out_dir / "adapter", events)
    # The fake service brings its own tiny base checkpoint; a real run uses --hf-model-dir or the Hub.
    local_base = getattr(service, "local_base_model_dir", None)
    hf_dir = args.hf_model_dir or (local_base(model) if local_base else None)
    peft_dir = to_peft(model, hf_dir, adapter_dir, out_dir / "peft", events)
    if peft_dir and args.gguf_python and args.gguf_script:
        to_gguf(args, model, hf_dir, peft_dir, out_dir / "adapter.gguf", events)
    events.emit("done", iter=step, adapterPath=str(adapter_dir), cancelled=False)
    close(service, "success")
    return 0


def close(service: Any, status: str) -> None:
    try:
        service.close(status).result()
    except Exception as e:  # closing is a courtesy to the server; the run's outcome stands
        print(f"closing the Tinker session failed: {e}", file=sys.stderr)


# ---------------------------------------------------------------- after training


def download_adapter(training: Any, rest: Any, target: Path, events: Events) -> Path:
    """Exports the trained weights in the adapter format (adapter_config.json +
    adapter_model.safetensors) and downloads every file from its signed URL into `target`,
    through a staging folder so a failed transfer leaves no half adapter."""
    exported = training.save_weights_external("final").result().path
    events.log(f"exported the adapter as {exported}")
    urls = rest.get_external_weights_urls(exported).result().urls
    if not urls:
        raise RuntimeError(f"{exported} has no files to download")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".adapter-"))
    try:
        root = staging.resolve()
        for name, url in sorted(urls.items()):
            dest = (staging / name).resolve()
            if not dest.is_relative_to(root):
                raise RuntimeError(f"refusing the unsafe file name {name!r} in {exported}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            urllib.request.urlretrieve(url, dest)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    events.log(f"downloaded the adapter to {target}")
    return target


def to_peft(model: str, hf_model_dir: str | None, adapter_dir: Path, target: Path, events: Events) -> Path | None:
    """The cookbook's own conversion to a standard PEFT adapter. It needs the base model's
    config.json and safetensors headers: a local checkpoint folder when given, else the
    Hugging Face Hub (a full download of the base model). A failure is reported, not fatal:
    the Tinker adapter is already on disk."""
    from tinker_cookbook.weights import build_lora_adapter

    if target.exists():
        shutil.rmtree(target)
    try:
        build_lora_adapter(base_model=hf_model_dir or model, adapter_path=str(adapter_dir), output_path=str(target))
    except Exception as e:
        events.log(f"PEFT conversion skipped: {type(e).__name__}: {e}")
        return None
    events.log(f"PEFT adapter at {target}")
    return target


def to_gguf(
    args: argparse.Namespace, model: str, hf_model_dir: str | None, peft_dir: Path, target: Path, events: Events
) -> None:
    """llama.cpp's convert_lora_to_gguf.py, run with the converter venv's Python. It reads only
    the base model's config: from the local folder when given, else from the Hub by id."""
    base = ["--base", hf_model_dir] if hf_model_dir else ["--base-model-id", model]
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    command = [args.gguf_python, args.gguf_script, *base, "--outfile", str(tmp), "--outtype", "f16", str(peft_dir)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if hf_model_dir:
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    try:
        result = subprocess.run(command, stdout=sys.stderr, stderr=subprocess.PIPE, text=True, env=env, check=False)
        if result.returncode != 0 or not tmp.exists():
            tail = "\n".join(result.stderr.strip().splitlines()[-6:])
            events.log(f"GGUF conversion failed (exit code {result.returncode}): {tail}")
            return
        tmp.replace(target)
        events.log(f"GGUF LoRA adapter at {target}")
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--config", required=True, help="TinkerTrainingConfig as JSON")
    parser.add_argument("--hf-model-dir", help="a local Hugging Face checkpoint of the base model, for conversions")
    parser.add_argument("--gguf-python", help="the converter venv's python")
    parser.add_argument("--gguf-script", help="llama.cpp's convert_lora_to_gguf.py")
    parser.add_argument("--fake-service", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, stream: TextIO | None = None) -> int:
    events = Events(stream if stream is not None else claim_stdout())
    stop = StopFlag()
    stop.install()
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        events.emit("error", message="bad command line (see stderr)")
        return 2 if e.code else 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return train(args, events, stop)
    except InputProblem as e:
        events.emit("error", message=str(e))
        return 2
    except Exception as e:
        import traceback

        traceback.print_exc(file=sys.stderr)
        events.emit("error", message=f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)
        return 1


if __name__ == "__main__":
    sys.exit(main())
