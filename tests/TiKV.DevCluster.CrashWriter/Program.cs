using System.Text;
using TiKV.DevCluster.Storage;

// Usage: TiKV.DevCluster.CrashWriter <data-directory> <writers> [<memtable-fold-bytes>]
// Each writer task writes batches of two keys and prints "ack <key>" once a write is acknowledged. The test
// kills this process at an arbitrary moment and then checks that every acknowledged key is in the database.
// A small fold size keeps the engine folding its memtable into the main tables all the time, so the kill
// lands in the middle of folds and log truncations too.
long foldBytes = 0;
if (args.Length is not (2 or 3) || !int.TryParse(args[1], out var writers) || writers <= 0
    || (args.Length == 3 && (!long.TryParse(args[2], out foldBytes) || foldBytes <= 0)))
{
    Console.Error.WriteLine("usage: TiKV.DevCluster.CrashWriter <data-directory> <writers> [<memtable-fold-bytes>]");
    return 2;
}

var options = foldBytes > 0 ? new SqliteStorageOptions { MemtableFoldBytes = foldBytes, MaxMemtableBytes = foldBytes * 4 } : new SqliteStorageOptions();
var engine = SqliteStorageEngine.Open(args[0], options);
var output = Console.Out;
var outputLock = new object();
Console.WriteLine("ready");
await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
{
    for (var i = 0; ; i++)
    {
        var key = $"w{writer:D2}-{i:D8}";
        var batch = new WriteBatch();
        batch.Put(ColumnFamily.Write, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("value-" + key));
        batch.Put(ColumnFamily.Default, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("pair-" + key));
        await engine.WriteAsync(batch);
        lock (outputLock)
        {
            output.WriteLine("ack " + key);
            output.Flush();
        }
    }
})));
return 0;
