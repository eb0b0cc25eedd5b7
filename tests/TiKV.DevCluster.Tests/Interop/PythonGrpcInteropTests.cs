using TiKV.DevCluster.Tests.Infrastructure;

namespace TiKV.DevCluster.Tests.Interop;

/// <summary>A gRPC C-core client (Debian's python3-grpcio) against DevCluster: PD routing, raw reads and writes, TSO.</summary>
public sealed class PythonGrpcInteropTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private const string Protoc = "/usr/bin/protoc";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tikv-devcluster-python", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Python_grpcio_client_does_raw_put_get_scan_and_tso()
    {
        Assert.True(File.Exists(Python), $"{Python} is required for the interop test (Debian python3 with python3-grpcio).");
        var probe = await Repository.RunAsync(Python, ["-c", "import grpc, google.protobuf"], TimeSpan.FromSeconds(30));
        Assert.True(probe.ExitCode == 0, $"{Python} lacks grpc or protobuf (install python3-grpcio and python3-protobuf): {probe.Error}");
        Assert.True(File.Exists(Protoc), $"{Protoc} is required to generate the Python protobuf modules (install protobuf-compiler).");

        Directory.CreateDirectory(_directory);
        var protos = Directory.GetFiles(Repository.ProtoDirectory, "*.proto").Select(Path.GetFileName).ToList();
        var generate = await Repository.RunAsync(Protoc, ["-I", Repository.ProtoDirectory, "--python_out", _directory, .. protos!], TimeSpan.FromSeconds(60));
        Assert.True(generate.ExitCode == 0, $"protoc failed: {generate.Error}");
        var script = Path.Combine(_directory, "client.py");
        await File.WriteAllTextAsync(script, ClientScript);

        await using var t = await TestCluster.StartAsync();
        var run = await Repository.RunAsync(Python, [script, t.Cluster.PdAddress], TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"python client failed:\n{run.Output}\n{run.Error}");
        Assert.Contains("raw ok", run.Output, StringComparison.Ordinal);
        Assert.Contains("tso ok", run.Output, StringComparison.Ordinal);

        // What python wrote is visible to .NET callers.
        Assert.Equal("from-python-3", System.Text.Encoding.UTF8.GetString((await t.RawGetAsync(Rpc.Bytes("py-3")))!));
    }

    private const string ClientScript = """
        import sys
        import grpc
        import kvrpcpb_pb2, pdpb_pb2

        def unary(channel, path, request, response_type):
            call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_type.FromString)
            return call(request, timeout=10)

        pd = grpc.insecure_channel(sys.argv[1])
        members = unary(pd, "/pdpb.PD/GetMembers", pdpb_pb2.GetMembersRequest(), pdpb_pb2.GetMembersResponse)
        cluster_id = members.header.cluster_id
        header = pdpb_pb2.RequestHeader(cluster_id=cluster_id)

        def store_for(key):
            region = unary(pd, "/pdpb.PD/GetRegion", pdpb_pb2.GetRegionRequest(header=header, region_key=key), pdpb_pb2.GetRegionResponse)
            store = unary(pd, "/pdpb.PD/GetStore", pdpb_pb2.GetStoreRequest(header=header, store_id=region.leader.store_id), pdpb_pb2.GetStoreResponse)
            context = kvrpcpb_pb2.Context(region_id=region.region.id, region_epoch=region.region.region_epoch, peer=region.leader)
            return grpc.insecure_channel(store.store.address), context

        tikv, context = store_for(b"py-0")
        for i in range(5):
            put = unary(tikv, "/tikvpb.Tikv/RawPut", kvrpcpb_pb2.RawPutRequest(context=context, key=b"py-%d" % i, value=b"from-python-%d" % i), kvrpcpb_pb2.RawPutResponse)
            assert not put.HasField("region_error") and put.error == "", put
        got = unary(tikv, "/tikvpb.Tikv/RawGet", kvrpcpb_pb2.RawGetRequest(context=context, key=b"py-2"), kvrpcpb_pb2.RawGetResponse)
        assert got.value == b"from-python-2", got
        scan = unary(tikv, "/tikvpb.Tikv/RawScan", kvrpcpb_pb2.RawScanRequest(context=context, start_key=b"py-", limit=10), kvrpcpb_pb2.RawScanResponse)
        assert [kv.key for kv in scan.kvs] == [b"py-%d" % i for i in range(5)], scan
        print("raw ok")

        tso = pd.stream_stream("/pdpb.PD/Tso", request_serializer=lambda m: m.SerializeToString(), response_deserializer=pdpb_pb2.TsoResponse.FromString)
        responses = list(tso(iter([pdpb_pb2.TsoRequest(header=header, count=10), pdpb_pb2.TsoRequest(header=header, count=1)]), timeout=10))
        first = (responses[0].timestamp.physical << 18) + responses[0].timestamp.logical
        second = (responses[1].timestamp.physical << 18) + responses[1].timestamp.logical
        assert len(responses) == 2 and responses[0].count == 10 and second > first, responses
        print("tso ok")
        """;
}
