"""Steering vectors: llama.cpp control-vector GGUF files, and refusing the wrong model."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest

from engine.steering.vectors import (
    IncompatibleVectorError,
    Steering,
    SteeringVector,
    VectorFileError,
    apply_torch,
)

PROMPT = "<|im_start|>user\nHow was your day?<|im_end|>\n<|im_start|>assistant\n"


def _dirs(n_embd: int, layers, seed: int = 0, norm: float = 60.0) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for L in layers:
        v = rng.standard_normal(n_embd).astype(np.float32)
        out[L] = v * np.float32(norm / np.linalg.norm(v))
    return out


def _ggml_view(path: Path) -> dict:
    """Open the file with ggml's own C GGUF parser (the one llama.cpp's loader uses)."""
    import llama_cpp

    lib = ctypes.CDLL(str(Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so"))

    class Params(ctypes.Structure):
        _fields_ = [("no_alloc", ctypes.c_bool), ("ctx", ctypes.c_void_p)]

    lib.gguf_init_from_file.restype = ctypes.c_void_p
    lib.gguf_init_from_file.argtypes = [ctypes.c_char_p, Params]
    restypes = {
        "gguf_get_n_tensors": ctypes.c_int64, "gguf_find_key": ctypes.c_int64,
        "gguf_get_tensor_name": ctypes.c_char_p, "gguf_get_tensor_type": ctypes.c_int,
        "gguf_get_tensor_size": ctypes.c_size_t, "gguf_get_val_str": ctypes.c_char_p,
        "gguf_get_val_u32": ctypes.c_uint32,
    }
    for name, res in restypes.items():
        getattr(lib, name).restype = res
    lib.gguf_find_key.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    for name in ("gguf_get_tensor_name", "gguf_get_tensor_type", "gguf_get_tensor_size",
                 "gguf_get_val_str", "gguf_get_val_u32"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int64]
    lib.gguf_get_n_tensors.argtypes = [ctypes.c_void_p]
    lib.gguf_free.argtypes = [ctypes.c_void_p]
    ctx = lib.gguf_init_from_file(str(path).encode(), Params(True, None))
    assert ctx, "ggml could not parse the file"
    try:
        tensors = {}
        for i in range(lib.gguf_get_n_tensors(ctx)):
            name = lib.gguf_get_tensor_name(ctx, i).decode()
            tensors[name] = (lib.gguf_get_tensor_type(ctx, i), lib.gguf_get_tensor_size(ctx, i))
        arch = lib.gguf_get_val_str(ctx, lib.gguf_find_key(ctx, b"general.architecture")).decode()
        hint = lib.gguf_get_val_str(ctx, lib.gguf_find_key(ctx, b"controlvector.model_hint"))
        count = lib.gguf_get_val_u32(ctx, lib.gguf_find_key(ctx, b"controlvector.layer_count"))
        return {"arch": arch, "hint": hint.decode(), "layer_count": count, "tensors": tensors}
    finally:
        lib.gguf_free(ctx)


def test_round_trip_and_llama_cpp_file_layout(tmp_path, llama_runtime):
    info = llama_runtime.info
    vec = SteeringVector.for_model(info, _dirs(info.n_embd, [3, 15, 29]), meta={"method": "test"})
    path = vec.save(tmp_path / "voice.gguf")
    back = SteeringVector.load(path)
    assert back.layers == [3, 15, 29]
    for L in back.layers:
        assert np.array_equal(back.direction(L), vec.direction(L))
    assert (back.architecture, back.n_layer, back.n_embd) == ("llama", 30, 576)
    assert back.fingerprint == info.fingerprint and back.model_name == info.name
    assert back.meta == {"method": "test"}
    back.check_compatible(info)
    # what llama.cpp's --control-vector loader requires: controlvector arch, 1-D F32 tensors of
    # n_embd named direction.<L> with L >= 1, and nothing else as tensors
    view = _ggml_view(path)
    assert view["arch"] == "controlvector" and view["hint"] == "llama"
    assert view["layer_count"] == 3
    assert view["tensors"] == {f"direction.{L}": (0, 576 * 4) for L in (3, 15, 29)}  # 0 = F32
    assert not list(tmp_path.glob("*.part"))  # written atomically


def test_vector_from_file_steers_llama_cpp_like_the_one_in_memory(tmp_path, llama_runtime):
    info = llama_runtime.info
    vec = SteeringVector.for_model(info, _dirs(info.n_embd, [10, 20], seed=1))
    loaded = SteeringVector.load(vec.save(tmp_path / "v.gguf"))
    with llama_runtime.steered(Steering(vec, 1.5)):
        a = llama_runtime.next_token_logits(PROMPT)
    with llama_runtime.steered(Steering(loaded, 1.5)):
        assert np.array_equal(llama_runtime.next_token_logits(PROMPT), a)
        assert llama_runtime.steering.vector.layers == [10, 20]
    assert llama_runtime.steering is None


def test_full_array_keeps_nonzero_layers(llama_runtime):
    info = llama_runtime.info
    arr = np.zeros((info.n_layer, info.n_embd), np.float32)
    arr[7, :] = 1.0
    vec = SteeringVector.for_model(info, arr)
    assert vec.layers == [7]
    with pytest.raises(ValueError):
        SteeringVector.for_model(info, np.zeros((29, info.n_embd)))
    with pytest.raises(ValueError, match="NaN"):
        SteeringVector.for_model(info, {3: np.full(info.n_embd, np.nan)})


def test_vector_for_another_size_is_refused(llama_runtime, torch_runtime):
    """A profile from SmolLM2-360M (32 layers of 960) must not reach this 135M model."""
    other = SteeringVector(
        directions=_dirs(960, [5, 10]), architecture="llama", n_embd=960, n_layer=32,
        fingerprint="0123456789abcdef", model_name="SmolLM2 360M",
    )
    before = llama_runtime.next_token_logits(PROMPT)
    with pytest.raises(IncompatibleVectorError, match="another size"):
        other.check_compatible(llama_runtime.info)
    with pytest.raises(IncompatibleVectorError, match="another size"), \
            llama_runtime.steered(Steering(other)):
        pass
    with pytest.raises(IncompatibleVectorError), apply_torch(other, torch_runtime):
        pass
    assert llama_runtime.steering is None
    assert np.array_equal(llama_runtime.next_token_logits(PROMPT), before)
    # same width, more layers: still another model
    deeper = SteeringVector(_dirs(576, [31]), "llama", 576, n_layer=32)
    with pytest.raises(IncompatibleVectorError), llama_runtime.steered(Steering(deeper)):
        pass


def test_other_architecture_or_file_is_refused(llama_runtime):
    info = llama_runtime.info
    qwen = SteeringVector(_dirs(576, [4]), "qwen2", 576, n_layer=30)
    with pytest.raises(IncompatibleVectorError, match="qwen2"):
        qwen.check_compatible(info)
    other_file = SteeringVector(_dirs(576, [4]), "llama", 576, n_layer=30,
                                fingerprint="ffffffffffffffff", model_name="another fine-tune")
    with pytest.raises(IncompatibleVectorError, match="another model file"), \
            llama_runtime.steered(Steering(other_file)):
        pass
    other_file.check_compatible(info, strict=False)  # same shape: allowed when asked for
    with llama_runtime.steered(Steering(other_file, strict=False)):
        assert llama_runtime.steering is not None


def test_layer_zero_works_in_torch_but_cannot_be_saved(tmp_path, torch_runtime, llama_runtime):
    info = llama_runtime.info
    vec = SteeringVector.for_model(info, _dirs(info.n_embd, [0, 5]))
    ids = torch_runtime.tokenize(PROMPT)
    plain = torch_runtime.next_token_logits(ids)
    with apply_torch(vec, torch_runtime, layers=[0]):
        assert not np.allclose(torch_runtime.next_token_logits(ids), plain, atol=1e-3)
    with pytest.raises(IncompatibleVectorError, match="(?i)layer 0"):
        vec.save(tmp_path / "zero.gguf")
    with pytest.raises(IncompatibleVectorError, match="(?i)layer 0"), \
            llama_runtime.steered(Steering(vec)):
        pass
    with llama_runtime.steered(Steering(vec, layers=(5,))):  # the llama.cpp-compatible part
        pass
    with pytest.raises(IncompatibleVectorError, match="no direction for layer 9"), \
            llama_runtime.steered(Steering(vec, layers=(9,))):
        pass
    assert llama_runtime.steering is None


def test_foreign_control_vector_file_loads(tmp_path, llama_runtime):
    """A file with only what llama.cpp's tools write (no steering.* keys) is usable."""
    import gguf

    path = tmp_path / "foreign.gguf"
    w = gguf.GGUFWriter(str(path), "controlvector")
    w.add_string("controlvector.model_hint", "llama")
    w.add_uint32("controlvector.layer_count", 2)
    for L, v in _dirs(576, [12, 13], seed=5).items():
        w.add_tensor(f"direction.{L}", v)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    vec = SteeringVector.load(path)
    assert vec.n_layer is None and vec.fingerprint is None and vec.layers == [12, 13]
    with llama_runtime.steered(Steering(vec, 0.5)):
        pass


def test_bad_files_are_clear_errors(tmp_path, model_path):
    with pytest.raises(VectorFileError, match="not found"):
        SteeringVector.load(tmp_path / "missing.gguf")
    with pytest.raises(VectorFileError, match="not a control vector"):
        SteeringVector.load(model_path)  # a model, not a vector
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 40)
    with pytest.raises(VectorFileError):
        SteeringVector.load(junk)
    good = SteeringVector(_dirs(576, [3]), "llama", 576, n_layer=30).save(tmp_path / "g.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(VectorFileError):
        SteeringVector.load(cut)


def test_one_type_owns_the_stored_rows_and_the_file():
    """Row i of the stored layout is layer i+1 (llama.cpp's buffer); the file round-trips."""
    rng = np.random.default_rng(3)
    layers = rng.standard_normal((5, 8)).astype(np.float32)
    layers[0] = 0  # layer 0 cannot be steered in llama.cpp
    sv = SteeringVector.from_layers(layers, fingerprint="f" * 16)
    assert sv.layers == [1, 2, 3, 4]
    rows = np.frombuffer(sv.rows(), "<f4").reshape(5, 8)
    assert np.array_equal(rows[:4], layers[1:]) and not rows[4].any()
    back = SteeringVector.from_rows(sv.rows(), 5, 8)
    assert np.array_equal(back.layer_array(), layers)
    again = SteeringVector.from_gguf_bytes(sv.to_gguf_bytes())
    assert again.rows(5) == sv.rows() and again.fingerprint == "f" * 16
    buf = sv.control_buffer(5, layers=[2], scale=0.5)
    assert np.allclose(buf[1], 0.5 * layers[2]) and not np.delete(buf, 1, axis=0).any()
    summed = sv + sv.scaled(-1.0)
    assert not summed.layer_array().any()


def test_a_steering_choice_reaches_both_layouts_through_its_vector():
    """`Steering` (vector, scale, layers): llama.cpp's rows are layer L in row L-1, torch's
    layer L in row L; a layer the vector lacks steers by nothing; two steerings stack."""
    rng = np.random.default_rng(4)
    sv = SteeringVector({2: rng.standard_normal(8), 3: rng.standard_normal(8)}, "", 8, 5)
    one = Steering(sv, 0.5, (2,), generated_only=True)
    assert np.array_equal(one.control_buffer(5), sv.control_buffer(5, layers=[2], scale=0.5))
    assert np.array_equal(one.layer_array(5)[2], one.control_buffer(5)[1])
    assert not np.delete(one.layer_array(5), 2, axis=0).any()
    none = Steering.at_layer(sv, 4, 2.0, generated_only=True)
    assert not none.control_buffer(5).any() and none.generated_only
    both = one.plus(Steering(sv, 2.0))
    assert both.generated_only and both.scale == 1.0
    assert np.array_equal(both.control_buffer(5),
                          one.control_buffer(5) + Steering(sv, 2.0).control_buffer(5))


def test_an_all_zero_vector_of_ours_round_trips():
    sv = SteeringVector.from_rows(bytes(4 * 3 * 4), 3, 4)
    assert SteeringVector.from_gguf_bytes(sv.to_gguf_bytes()).rows(3) == bytes(4 * 3 * 4)


def test_a_file_in_memory_claiming_huge_counts_is_refused():
    import struct

    from engine.steering.vectors import VectorFileError

    with pytest.raises(VectorFileError, match="not a GGUF"):
        SteeringVector.from_gguf_bytes(b"MZ not a gguf at all, but long enough")
    hostile = b"GGUF" + struct.pack("<IQQ", 3, 2**60, 1) + b"\0" * 64
    with pytest.raises(VectorFileError, match="more tensors or keys"):
        SteeringVector.from_gguf_bytes(hostile)
