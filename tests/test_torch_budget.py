"""The memory check DPS makes before torch loads a model (engine.runtime.torch_budget).

Real GGUF headers and this machine's real free memory; a model too large for any
machine is the embedded model's header with its weight count raised.
"""

from __future__ import annotations

import dataclasses

import psutil
import pytest

from engine.errors import EngineError
from engine.runtime.gguf_info import read_gguf_info
from engine.runtime.torch_budget import require_torch_fits, torch_need


@pytest.fixture(scope="module")
def info(model_path):
    return read_gguf_info(model_path)


def test_the_weight_count_is_read_from_the_file(info):
    assert info.n_params == 134_515_008  # SmolLM2-135M's tensors, counted from the header


def test_the_embedded_model_fits_and_the_need_is_float32_on_the_cpu(info):
    need = torch_need(info, "cpu")
    assert need.bytes_per_weight == 4
    assert info.n_params * 4 < need.need_bytes < 3 * 2**30
    assert need.free_bytes is not None and abs(
        need.free_bytes - psutil.virtual_memory().available) < 2**30
    assert require_torch_fits(info, "cpu", "DPS").fits


def test_a_model_larger_than_free_memory_is_refused_with_what_it_needs(info):
    huge = dataclasses.replace(info, n_params=10**13, name="Huge-10T")
    with pytest.raises(EngineError) as e:
        require_torch_fits(huge, "cpu", "DPS")
    msg = str(e.value)
    assert msg.startswith("DPS loads Huge-10T into torch on the CPU in float32: about ")
    assert "GB free, so it did not start" in msg
    assert "or a GPU with" in msg and "(half precision)" in msg
    # the GPU need is half the CPU's (2 bytes a weight instead of 4)
    cpu_gb, gpu_gb = (float(msg.split("about ")[1].split(" GB")[0]),
                      float(msg.split("a GPU with ")[1].split(" GB")[0]))
    assert gpu_gb == pytest.approx(cpu_gb / 2, rel=0.01)
