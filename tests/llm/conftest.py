import os
import socket
import subprocess
import sys
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def gguf_path():
    from bot.llm import bundled_gguf

    return bundled_gguf("smollm2")


@pytest.fixture(scope="session")
def llama_server(gguf_path, tmp_path_factory):
    """llama-cpp-python's own OpenAI-compatible server on 127.0.0.1, serving the bundled GGUF."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path),
                                 "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
                                 "--model_alias", "smollm2"], stdout=fh, stderr=subprocess.STDOUT,
                                env={**os.environ, "HF_HUB_OFFLINE": "1"})
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(120):
        if proc.poll() is not None:
            raise RuntimeError("llama_cpp.server exited: " + log.read_text()[-2000:])
        try:
            if httpx.get(url + "/v1/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.25)
    else:
        proc.kill()
        raise RuntimeError("llama_cpp.server did not start: " + log.read_text()[-2000:])
    yield url
    proc.terminate()
    proc.wait(10)
