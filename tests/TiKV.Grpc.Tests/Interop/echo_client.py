"""Echo client on gRPC C-core (Debian python3-grpcio) that checks a .NET server case by case.

Usage: echo_client.py PROTO_PATH TARGET CASE
Prints "PASS <case>" and exits 0, or prints what went wrong and exits 1.
"""
import queue
import sys
import threading
import time

import grpc

import echo_common

NON_ASCII = "ключ не найден ✓"


def main():
    proto_path, target, case = sys.argv[1], sys.argv[2], sys.argv[3]
    pb = echo_common.load_messages(proto_path)
    channel = grpc.insecure_channel(
        target,
        options=[
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ],
    )
    grpc.channel_ready_future(channel).result(timeout=10)
    unary = channel.unary_unary(
        "/interop.Echo/Unary",
        request_serializer=pb.EchoRequest.SerializeToString,
        response_deserializer=pb.EchoResponse.FromString,
    )
    duplex = channel.stream_stream(
        "/interop.Echo/Duplex",
        request_serializer=pb.EchoRequest.SerializeToString,
        response_deserializer=pb.EchoResponse.FromString,
    )

    def expect_status(call, code, details=None):
        try:
            call()
        except grpc.RpcError as error:
            check(error.code() == code, "expected %s, got %s (%s)" % (code, error.code(), error.details()))
            if details is not None:
                check(error.details() == details, "expected details %r, got %r" % (details, error.details()))
            return error
        raise AssertionError("expected %s, but the call succeeded" % code)

    if case == "unary":
        metadata = (("echo-text", "value"), ("echo-data-bin", b"\x00\xff\x10"), ("plain", "x"))
        response, call = unary.with_call(pb.EchoRequest(text="hi", payload=b"\x01\x02"), metadata=metadata)
        check(response.text == "hi" and response.payload == b"\x01\x02", "echo mismatch: %r" % response)
        check("plain=x" in response.seen_metadata, "server did not see plain=x: %r" % list(response.seen_metadata))
        check("echo-data-bin=AP8Q" in response.seen_metadata, "server did not see binary metadata: %r" % list(response.seen_metadata))
        initial = dict(call.initial_metadata())
        trailing = dict(call.trailing_metadata())
        check(initial.get("echo-text") == "value", "response headers: %r" % initial)
        check(trailing.get("echo-data-bin") == b"\x00\xff\x10", "trailers: %r" % trailing)
    elif case == "error":
        error = expect_status(
            lambda: unary(pb.EchoRequest(status_code=5, status_message=NON_ASCII)),
            grpc.StatusCode.NOT_FOUND,
            NON_ASCII,
        )
        trailing = dict(error.trailing_metadata())
        check(trailing.get("error-detail") == "from-handler", "trailers: %r" % trailing)
        check(trailing.get("error-bin") == b"\x00\x01\x02\xff", "trailers: %r" % trailing)
    elif case == "unimplemented":
        missing = channel.unary_unary("/interop.Echo/Missing")
        expect_status(lambda: missing(b""), grpc.StatusCode.UNIMPLEMENTED)
    elif case == "deadline":
        expect_status(lambda: unary(pb.EchoRequest(sleep_ms=10000), timeout=0.3), grpc.StatusCode.DEADLINE_EXCEEDED)
    elif case == "cancel":
        future = unary.future(pb.EchoRequest(sleep_ms=10000))
        time.sleep(0.3)
        future.cancel()
        check(future.cancelled(), "the call was not cancelled")
    elif case == "large":
        payload = bytes(range(256)) * (5 * 1024 * 4)
        response = unary(pb.EchoRequest(payload=payload))
        check(response.payload == payload, "5 MiB payload mismatch")
        response = unary(pb.EchoRequest(response_size=6 * 1024 * 1024))
        check(len(response.payload) == 6 * 1024 * 1024, "6 MiB response size %d" % len(response.payload))
    elif case == "too-large":
        expect_status(lambda: unary(pb.EchoRequest(payload=bytes(9 * 1024 * 1024))), grpc.StatusCode.RESOURCE_EXHAUSTED)
        response = unary(pb.EchoRequest(text="after"))
        check(response.text == "after", "server did not serve the next call")
    elif case == "concurrent":
        calls = [unary.future(pb.EchoRequest(sequence=i, sleep_ms=20)) for i in range(200)]
        for i, call in enumerate(calls):
            check(call.result(timeout=30).sequence == i, "call %d answered out of place" % i)
    elif case == "bidi":
        count = 5000
        requests = queue.Queue()

        def produce():
            for i in range(count):
                requests.put(pb.EchoRequest(sequence=i))
            requests.put(None)

        def request_stream():
            while True:
                item = requests.get()
                if item is None:
                    return
                yield item

        threading.Thread(target=produce, daemon=True).start()
        expected = 0
        for response in duplex(request_stream(), metadata=(("echo-stream", "s"),)):
            check(response.sequence == expected, "expected %d, got %d" % (expected, response.sequence))
            expected += 1
        check(expected == count, "received %d of %d" % (expected, count))
    elif case == "bidi-error":
        def two():
            yield pb.EchoRequest(sequence=1)
            yield pb.EchoRequest(status_code=9, status_message=NON_ASCII)

        responses = duplex(two())
        first = next(responses)
        check(first.sequence == 1, "first response %r" % first)
        expect_status(lambda: list(responses), grpc.StatusCode.FAILED_PRECONDITION, NON_ASCII)
    elif case == "bidi-cancel":
        def slow():
            yield pb.EchoRequest(sleep_ms=10000)
            time.sleep(30)

        call = duplex(slow())
        time.sleep(0.3)
        call.cancel()
        expect_status(lambda: list(call), grpc.StatusCode.CANCELLED)
    else:
        raise AssertionError("unknown case " + case)
    print("PASS " + case, flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report every failure the same way to the test driver
        print("FAIL %s: %s" % (type(error).__name__, error), flush=True)
        sys.exit(1)
