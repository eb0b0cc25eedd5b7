using TiKV.DevCluster.Internal.Persistence;
using TiKV.DevCluster.Internal.Regions;

namespace TiKV.DevCluster.Internal;

/// <summary>Persisting PD's metadata for a durable cluster.</summary>
internal sealed partial class ClusterRuntime
{
    /// <summary>Writes the current metadata when the cluster is durable; failures are logged, not thrown.</summary>
    public void SaveMetadata()
    {
        if (_metadataFile is null)
        {
            return;
        }

        lock (_metadataGate)
        {
            var metadata = new ClusterMetadata
            {
                ClusterId = ClusterId,
                LastId = Ids.Last,
                TsoUpperBoundMs = Interlocked.Read(ref _tsoUpperBoundMs),
                GcSafePoint = GcSafePoints.GcSafePoint,
                ServiceSafePoints = [.. GcSafePoints.Services.Select(s => new ServiceSafePointRecord { ServiceId = s.ServiceId, ExpiredAt = s.ExpiredAt, SafePoint = s.SafePoint })],
                Stores = [.. Stores.Select(s => new StoreRecord
                {
                    Id = s.Id,
                    Port = s.Port,
                    StatusPort = s.StatusPort,
                    RequestedPort = RequestedPortsOf(s).Port,
                    RequestedStatusPort = RequestedPortsOf(s).StatusPort,
                    State = (int)s.MetaState,
                })],
                Regions = [.. Regions.All.Select(r => new RegionRecord
                {
                    Id = r.Id,
                    StartKey = r.StartKey,
                    EndKey = r.EndKey,
                    ConfVer = r.ConfVer,
                    Version = r.Version,
                    PeerIds = [.. r.Peers.Select(p => p.PeerId)],
                    PeerStoreIds = [.. r.Peers.Select(p => p.StoreId)],
                    LeaderStoreId = r.LeaderStoreId,
                    Term = r.Term,
                })],
            };
            try
            {
                _metadataFile.Save(metadata);
            }
            catch (IOException e)
            {
                Log.MetadataSaveFailed(Logger, e);
            }
            catch (UnauthorizedAccessException e)
            {
                Log.MetadataSaveFailed(Logger, e);
            }
        }
    }

    private void OnRegionsChanged(IReadOnlyList<RegionState> changed) => SaveMetadata();

    private void OnGcSafePointsChanged()
    {
        SaveMetadata();
        GcWorker.Trigger();
    }

    private void OnTsoWindowAdvanced(long upperBoundMs)
    {
        Interlocked.Exchange(ref _tsoUpperBoundMs, upperBoundMs);
        if (_metadataFile is not null)
        {
            // The window must be durable before timestamps inside it are handed out, as PD saves it to etcd first.
            SaveMetadata();
        }
    }
}
