"""In-process stand-ins for the Tinker SDK's clients, for tests only (worker.py --fake-service).

They implement the few methods worker.py calls, with the SDK's own response types and futures
that have `.result()`, so everything around them is the real code: the cookbook's tokenizer
registry, renderer, datum building and NLL, the adapter download, the PEFT conversion and the
GGUF conversion. The training client checks what it is sent as the server would (datum shapes,
optimizer params, call order) and returns losses that go down step by step.

The service never runs a model. Its tokenizer is a byte-level BPE without merges (every byte one
token) plus the chat special tokens, built offline; its base model is a tiny randomly
initialised Qwen3 checkpoint written once under the run's output folder, so the adapter it
exports has the real key names and shapes and converts like a real one.

Knobs, from the environment:
- FAKE_TINKER_MODELS: comma-separated supported models (default Qwen/Qwen3-8B,meta-llama/Llama-3.1-8B)
- FAKE_TINKER_STEP_SECONDS: time one training step takes (default 0)
- FAKE_TINKER_FAIL_AT_STEP: forward_backward of that step (1-based) raises, as a server error would
- FAKE_TINKER_EXIT_AT_STEP: the process dies at that step with exit code 3, as in a crash
"""

from __future__ import annotations

import datetime
import json
import math
import os
import time
from pathlib import Path
from typing import Any, Generic, TypeVar

from tinker import types

T = TypeVar("T")

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<think>",
    "</think>",
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
]
RUN_ID = "fake-run-0001"


class FakeFuture(Generic[T]):
    """What the SDK's APIFuture offers to a synchronous caller: `.result(timeout)`."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._done = False
        self._value: Any = None

    def result(self, timeout: float | None = None) -> T:
        if not self._done:
            self._value = self._compute()
            self._done = True
        return self._value


def byte_tokenizer() -> Any:
    """A Hugging Face fast tokenizer that needs no download: one token per byte."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    core = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS})
    return tokenizer


class FakeTrainingClient:
    def __init__(self, base_model: str, rank: int, home: Path, service: FakeServiceClient) -> None:
        self.base_model = base_model
        self.rank = rank
        self.home = home
        self.service = service
        self.steps = 0
        self.pending_backward = False
        self.learning_rates: list[float] = []

    def _loss(self, offset: float = 0.0) -> float:
        wobble = 0.03 * math.sin(self.steps * 1.7)
        return 0.4 + 2.4 * math.exp(-0.25 * self.steps) + wobble + offset

    def _outputs(self, data: list[types.Datum], loss: float) -> types.ForwardBackwardOutput:
        if not data:
            raise ValueError("No data provided")
        outputs = []
        for i, datum in enumerate(data):
            targets = datum.loss_fn_inputs.get("target_tokens")
            weights = datum.loss_fn_inputs.get("weights")
            if targets is None or weights is None:
                raise ValueError(f"datum {i}: loss_fn_inputs needs target_tokens and weights for cross_entropy")
            n = datum.model_input.length
            if len(targets.data) != n or len(weights.data) != n:
                raise ValueError(f"datum {i}: {n} input tokens but {len(targets.data)} targets, {len(weights.data)} weights")
            outputs.append({"logprobs": types.TensorData(data=[-loss] * n, dtype="float32", shape=[n])})
        return types.ForwardBackwardOutput(loss_fn_output_type="TorchLossReturn", loss_fn_outputs=outputs, metrics={})

    def forward_backward(self, data: list[types.Datum], loss_fn: str) -> FakeFuture[types.ForwardBackwardOutput]:
        if loss_fn != "cross_entropy":
            raise ValueError(f"unexpected loss_fn {loss_fn!r}")
        step = self.steps + 1
        self.pending_backward = True
        if os.environ.get("FAKE_TINKER_EXIT_AT_STEP") == str(step):
            os._exit(3)
        if os.environ.get("FAKE_TINKER_FAIL_AT_STEP") == str(step):
            raise RuntimeError(f"fake Tinker: 500 Internal Server Error at step {step}")
        delay = float(os.environ.get("FAKE_TINKER_STEP_SECONDS", "0") or 0)

        def compute() -> types.ForwardBackwardOutput:
            if delay:
                time.sleep(delay)
            return self._outputs(data, self._loss())

        return FakeFuture(compute)

    def forward(self, data: list[types.Datum], loss_fn: str) -> FakeFuture[types.ForwardBackwardOutput]:
        return FakeFuture(lambda: self._outputs(data, self._loss(offset=0.08)))

    def optim_step(self, params: types.AdamParams) -> FakeFuture[types.OptimStepResponse]:
        if not isinstance(params, types.AdamParams):
            raise TypeError("Expected AdamParams")
        if not self.pending_backward:
            raise RuntimeError("optim_step without a forward_backward before it")
        self.pending_backward = False
        self.steps += 1
        self.learning_rates.append(params.learning_rate)
        return FakeFuture(lambda: types.OptimStepResponse(metrics={}))

    def save_state(self, name: str) -> FakeFuture[types.SaveWeightsResponse]:
        return FakeFuture(lambda: types.SaveWeightsResponse(path=f"tinker://{RUN_ID}/weights/{name}"))

    def save_weights_for_sampler(self, name: str) -> FakeFuture[types.SaveWeightsForSamplerResponse]:
        return FakeFuture(lambda: types.SaveWeightsForSamplerResponse(path=f"tinker://{RUN_ID}/sampler_weights/{name}"))

    def save_weights_external(self, name: str) -> FakeFuture[types.SaveWeightsExternalResponse]:
        def compute() -> types.SaveWeightsExternalResponse:
            write_adapter(self.service.local_base_model_dir(self.base_model), self.home / "external" / name, self.rank, self.base_model)
            return types.SaveWeightsExternalResponse(path=f"tinker://{RUN_ID}/external_weights/{name}")

        return FakeFuture(compute)


class FakeRestClient:
    def __init__(self, service: FakeServiceClient) -> None:
        self.service = service

    def get_server_capabilities(self) -> FakeFuture[types.GetServerCapabilitiesResponse]:
        models = [types.SupportedModel(model_name=m, trainable=True, sampleable=True) for m in self.service.models]
        return FakeFuture(lambda: types.GetServerCapabilitiesResponse(supported_models=models))

    def get_external_weights_urls(self, tinker_path: str) -> FakeFuture[types.ExternalWeightsUrlsResponse]:
        parsed = types.ParsedCheckpointTinkerPath.from_tinker_path(tinker_path)
        folder = self.service.home / "external" / parsed.checkpoint_id.split("/")[-1]
        urls = {p.name: p.resolve().as_uri() for p in sorted(folder.iterdir())}
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        return FakeFuture(lambda: types.ExternalWeightsUrlsResponse(urls=urls, expires=expires))


class FakeServiceClient:
    def __init__(self, models: list[str], home: Path) -> None:
        from tinker_cookbook.tokenizer_utils import register_tokenizer

        self.models = models
        self.home = home
        self.closed: str | None = None
        self._tokenizer: Any = None
        for model in models:
            register_tokenizer(model, self.tokenizer)

    @classmethod
    def from_env(cls, env: dict[str, str], out_dir: Path) -> FakeServiceClient:
        raw = env.get("FAKE_TINKER_MODELS", "Qwen/Qwen3-8B,meta-llama/Llama-3.1-8B")
        return cls([m.strip() for m in raw.split(",") if m.strip()], out_dir / ".fake-tinker")

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = byte_tokenizer()
        return self._tokenizer

    def create_rest_client(self) -> FakeRestClient:
        return FakeRestClient(self)

    def create_lora_training_client(self, base_model: str, rank: int = 32, **_: Any) -> FakeFuture[FakeTrainingClient]:
        if base_model not in self.models:
            raise ValueError(f"unsupported base model {base_model}")
        return FakeFuture(lambda: FakeTrainingClient(base_model, rank, self.home, self))

    def close(self, status: str = "success") -> FakeFuture[None]:
        self.closed = status
        return FakeFuture(lambda: None)

    def local_base_model_dir(self, model: str) -> str:
        """The fake's stand-in for the base model's Hugging Face checkpoint (see module doc)."""
        folder = self.home / "base-model"
        if not (folder / "config.json").exists():
            write_tiny_model(folder, self.tokenizer())
        return str(folder)


def write_tiny_model(folder: Path, tokenizer: Any) -> None:
    import torch
    from transformers import AutoModelForCausalLM, Qwen3Config

    torch.manual_seed(0)
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=512,
        tie_word_embeddings=False,
    )
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    AutoModelForCausalLM.from_config(config).save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    tmp.rename(folder)


def write_adapter(model_dir: str, folder: Path, rank: int, base_model: str) -> None:
    """An adapter in the layout Tinker exports: `base_model.model.`-prefixed lora_A/lora_B pairs
    for every linear layer of the blocks plus the unembedding, and a config with r/lora_alpha."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    generator = torch.Generator().manual_seed(1)
    tensors: dict[str, torch.Tensor] = {}
    with safe_open(str(Path(model_dir) / "model.safetensors"), framework="pt") as f:
        for key in f.keys():  # noqa: SIM118 (safe_open has no __contains__)
            shape = f.get_slice(key).get_shape()
            if key == "lm_head.weight":
                name = "model.unembed_tokens"
            elif ".layers." in key and key.endswith("_proj.weight") and len(shape) == 2:
                name = key.removesuffix(".weight")
            else:
                continue
            out_dim, in_dim = shape
            tensors[f"base_model.model.{name}.lora_A.weight"] = torch.randn(rank, in_dim, generator=generator) * 0.01
            tensors[f"base_model.model.{name}.lora_B.weight"] = torch.randn(out_dim, rank, generator=generator) * 0.01
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    config = {"base_model_name_or_path": base_model, "peft_type": "LORA", "r": rank, "lora_alpha": rank}
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2))
