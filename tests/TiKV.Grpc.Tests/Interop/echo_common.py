"""Shared helpers for the Echo interop scripts: generates the message classes from echo.proto with protoc."""
import atexit
import base64
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

SERVICE = "interop.Echo"


def load_messages(proto_path):
    """Compiles echo.proto with /usr/bin/protoc into a temporary directory and imports echo_pb2."""
    out_dir = tempfile.mkdtemp(prefix="tikv-grpc-interop-")
    atexit.register(shutil.rmtree, out_dir, True)
    proto_dir, proto_file = os.path.split(os.path.abspath(proto_path))
    subprocess.run(
        ["/usr/bin/protoc", "-I", proto_dir, "--python_out", out_dir, proto_file],
        check=True,
    )
    sys.path.insert(0, out_dir)
    return importlib.import_module("echo_pb2")


def status_from_number(number):
    for code in __import__("grpc").StatusCode:
        if code.value[0] == number:
            return code
    raise ValueError("unknown status code %d" % number)


def metadata_text(key, value):
    if isinstance(value, bytes):
        value = base64.b64encode(value).decode("ascii")
    return "%s=%s" % (key, value)
