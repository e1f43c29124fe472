"""`LocalKernelManager`: notebook kernels that listen on local (IPC) sockets, not TCP ports.

Nothing is exposed on the network, and the kernel has no "running over TCP without encryption"
warning to print into a learner's terminal. `ganlib.course.runner` names this class to papermill
by its path, so `jupyter_client` is imported only when notebooks run.
"""

from jupyter_client.manager import KernelManager


class LocalKernelManager(KernelManager):
    """A kernel manager whose kernels talk over IPC sockets in a private folder."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
