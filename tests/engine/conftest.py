"""Run torch on one thread here, as pool workers do: on a busy 2-core machine, two OpenMP
threads doing many tiny operations wait on each other and run many times slower."""

import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
