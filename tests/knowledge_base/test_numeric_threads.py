"""The action server's searches run with one thread per numerical library (KB_THREADS_PER_SEARCH)."""
import json
import subprocess
import sys

from helpers import REPO


SCRIPT = """
import json, threadpoolctl, torch
from knowledge_base.threads import limit_numeric_threads, numeric_threads
torch.set_num_threads(2)
with numeric_threads(1):
    inside = {"torch": torch.get_num_threads(), "pools": [p["num_threads"] for p in threadpoolctl.threadpool_info()]}
after = torch.get_num_threads()
limit_numeric_threads(1)
pools = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
print(json.dumps({"torch": torch.get_num_threads(), "pools": pools, "block": inside, "after_block": after}))
"""


def test_every_numerical_pool_is_limited_to_one_thread():
    # In a child process: the limits are process-wide.
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["torch"] == 1
    assert found["pools"] and set(found["pools"]) == {1}  # OpenBLAS (numpy) and OpenMP (torch, faiss)
    # For a block only (bench_laws builds between its searches): limited inside, torch restored.
    assert found["block"]["torch"] == 1 and set(found["block"]["pools"]) == {1}
    assert found["after_block"] == 2
