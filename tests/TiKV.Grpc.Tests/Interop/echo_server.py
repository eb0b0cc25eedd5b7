"""Echo service on gRPC C-core (Debian python3-grpcio), mirroring the .NET EchoService of the tests.

Usage: echo_server.py PROTO_PATH MAX_MESSAGE_BYTES
Prints "PORT <n>" once listening, "CANCELLED <method>" whenever a handler sees its call end early,
and serves until standard input closes.
"""
import sys
import threading
import time
from concurrent import futures

import grpc

import echo_common


def main():
    proto_path, max_message = sys.argv[1], int(sys.argv[2])
    pb = echo_common.load_messages(proto_path)
    lock = threading.Lock()

    def report(line):
        with lock:
            print(line, flush=True)

    def echo_metadata(context):
        pairs = [(k, v) for k, v in context.invocation_metadata() if k.startswith("echo-")]
        if pairs:
            context.send_initial_metadata(pairs)
        return pairs

    def sleep(request, context, method):
        deadline = time.monotonic() + request.sleep_ms / 1000.0
        while time.monotonic() < deadline:
            if not context.is_active():
                report("CANCELLED " + method)
                return False
            time.sleep(0.005)
        return True

    def fail_if_asked(request, context, pairs):
        if request.status_code:
            context.set_trailing_metadata(
                pairs + [("error-detail", "from-handler"), ("error-bin", b"\x00\x01\x02\xff")]
            )
            context.abort(echo_common.status_from_number(request.status_code), request.status_message)

    def reply(request):
        payload = bytes(request.response_size) if request.response_size else request.payload
        return pb.EchoResponse(payload=payload, text=request.text, sequence=request.sequence)

    def unary(request, context):
        pairs = echo_metadata(context)
        if not sleep(request, context, "Unary"):
            return pb.EchoResponse()
        fail_if_asked(request, context, pairs)
        if pairs:
            context.set_trailing_metadata(pairs)
        response = reply(request)
        response.seen_metadata.extend(
            echo_common.metadata_text(k, v) for k, v in context.invocation_metadata()
        )
        return response

    def duplex(request_iterator, context):
        pairs = echo_metadata(context)
        for request in request_iterator:
            if not sleep(request, context, "Duplex"):
                return
            fail_if_asked(request, context, pairs)
            yield reply(request)
        if not context.is_active():
            report("CANCELLED Duplex")
        if pairs:
            context.set_trailing_metadata(pairs)

    handler = grpc.method_handlers_generic_handler(
        echo_common.SERVICE,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=pb.EchoRequest.FromString,
                response_serializer=pb.EchoResponse.SerializeToString,
            ),
            "Duplex": grpc.stream_stream_rpc_method_handler(
                duplex,
                request_deserializer=pb.EchoRequest.FromString,
                response_serializer=pb.EchoResponse.SerializeToString,
            ),
        },
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=64),
        handlers=[handler],
        options=[
            ("grpc.max_receive_message_length", max_message),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ],
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    report("PORT %d" % port)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
