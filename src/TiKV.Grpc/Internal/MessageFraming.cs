using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace TiKV.Grpc.Internal;

/// <summary>The gRPC length-prefixed message framing, shared by client and server.</summary>
internal static class MessageFraming
{
    /// <summary>Messages at most this big are serialized into one contiguous span; larger ones in chunks.</summary>
    private const int ContiguousLimit = 64 * 1024;

    public static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Serializes <paramref name="message"/> with its prefix straight into <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int size)
    {
        if (size <= ContiguousLimit)
        {
            Span<byte> span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            WriteHeader(span, size);
            message.WriteTo(span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
            return;
        }

        WriteHeader(writer.GetSpan(GrpcProtocol.HeaderSize), size);
        writer.Advance(GrpcProtocol.HeaderSize);
        message.WriteTo(writer);
    }

    public static RpcException SendTooLarge(int size, int limit) =>
        new(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {limit} bytes).");

    public static RpcException ReceiveTooLarge(long size, int limit) =>
        new(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({size} > {limit} bytes).");

    public static RpcException CompressedWithoutEncoding() =>
        new(StatusCode.Internal, "Received a compressed message, but no grpc-encoding was negotiated: only identity (uncompressed) messages are supported.");

    public static RpcException BadCompressedFlag(byte flag) =>
        new(StatusCode.Internal, $"Received a message with an invalid compressed flag {flag}.");

    public static RpcException Truncated() =>
        new(StatusCode.Internal, "The stream ended inside a message: the message is truncated.");

    /// <summary>Validates a prefix and returns the message length.</summary>
    public static int ReadHeader(ReadOnlySpan<byte> header, int maxSize)
    {
        byte flag = header[0];
        if (flag != 0)
        {
            throw flag == 1 ? CompressedWithoutEncoding() : BadCompressedFlag(flag);
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxSize)
        {
            throw ReceiveTooLarge(length, maxSize);
        }

        return (int)length;
    }

    /// <summary>Validates the prefix at the start of <paramref name="buffer"/> and returns the message length.</summary>
    public static int ReadHeader(in ReadOnlySequence<byte> buffer, int maxSize)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= GrpcProtocol.HeaderSize)
        {
            return ReadHeader(first, maxSize);
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        return ReadHeader(header, maxSize);
    }

    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> data, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize {what} message: {ex.Message}", null, ex);
        }
    }

    public static T Parse<T>(MessageParser<T> parser, in ReadOnlySequence<byte> data, string what)
        where T : IMessage<T>
    {
        try
        {
            return data.IsSingleSegment ? parser.ParseFrom(data.FirstSpan) : parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize {what} message: {ex.Message}", null, ex);
        }
    }
}
