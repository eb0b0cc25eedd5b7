using System.Text.Json;

namespace TiKV.DevCluster.Internal.Persistence;

/// <summary>
/// The cluster metadata file of a durable cluster. Writes go to a temporary file that is flushed to disk and
/// then renamed over the old one, so a crash leaves either the old or the new version, never a torn file.
/// </summary>
internal sealed class MetadataFile
{
    /// <summary>The file name inside the data directory.</summary>
    public const string FileName = "cluster.json";

    private readonly Lock _gate = new();

    /// <summary>Creates the file handle for <paramref name="directory"/>.</summary>
    public MetadataFile(string directory)
    {
        Path = System.IO.Path.Combine(directory, FileName);
    }

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>Reads the metadata, or null when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read as cluster metadata.</exception>
    public ClusterMetadata? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(Path);
            return JsonSerializer.Deserialize(bytes, MetadataJsonContext.Default.ClusterMetadata)
                ?? throw new InvalidDataException($"Cluster metadata file '{Path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Cluster metadata file '{Path}' is corrupt: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="metadata"/> atomically and durably.</summary>
    public void Save(ClusterMetadata metadata)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(metadata, MetadataJsonContext.Default.ClusterMetadata);
        lock (_gate)
        {
            var temp = Path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
        }
    }
}
