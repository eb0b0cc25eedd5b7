using System.Collections.Immutable;
using TiKV.DevCluster.Internal.Pd;
using TiKV.DevCluster.Internal.Regions;
using TiKV.DevCluster.Tests.Infrastructure;

namespace TiKV.DevCluster.Tests.Units;

public sealed class PdStateTests
{
    [Fact]
    public void Tso_advances_physical_time_on_logical_overflow_and_never_goes_back()
    {
        var time = new OffsetTimeProvider();
        var tso = new TsoAllocator(time);
        var (physical, logical) = tso.Allocate((uint)(TsoAllocator.MaxLogical - 10));
        var (nextPhysical, nextLogical) = tso.Allocate(20);
        Assert.True(TsoAllocator.Compose(nextPhysical, nextLogical) > TsoAllocator.Compose(physical, logical));
        Assert.True(nextPhysical > physical || nextLogical > logical);
        Assert.True(nextLogical < TsoAllocator.MaxLogical);

        time.Advance(TimeSpan.FromSeconds(-30));
        var (afterClockStep, _) = tso.Allocate(1);
        Assert.True(afterClockStep >= nextPhysical);
        Assert.Throws<ArgumentOutOfRangeException>(() => tso.Allocate(0));
    }

    [Fact]
    public void Tso_restarts_above_the_persisted_window()
    {
        var saved = 0L;
        var first = new TsoAllocator(TimeProvider.System, 0, bound => saved = bound);
        var (physical, _) = first.Allocate(1);
        Assert.True(saved > physical);
        var second = new TsoAllocator(TimeProvider.System, saved);
        Assert.True(second.Allocate(1).Physical > saved);
    }

    [Fact]
    public void Epoch_not_match_collects_left_siblings_as_tikv_does_with_right_derive()
    {
        var ids = new IdAllocator(100);
        var peers = ImmutableArray.Create(new RegionPeer(2, 1));
        var table = new RegionTable([new RegionState(1, [], [], 1, 1, peers, 1, 6)]);
        table.Update(sorted => RegionSplitter.Split(sorted[0], [[(byte)'m']], ids));
        table.Update(sorted => RegionSplitter.Split(sorted[1], [[(byte)'t']], ids));
        var current = table.GetById(1)!;
        Assert.Equal((byte)'t', current.StartKey[0]);
        Assert.Equal(3UL, current.Version);

        var collected = table.CollectEpochNotMatchRegions(current, requestedVersion: 1);
        Assert.Equal(3, collected.Count);
        Assert.Equal(current.Id, collected[0].Id);
        Assert.Equal((byte)'m', collected[1].StartKey[0]);
        Assert.Single(table.CollectEpochNotMatchRegions(current, requestedVersion: 3));
    }

    [Fact]
    public void Split_keys_outside_or_on_the_boundary_are_skipped()
    {
        var region = new RegionState(1, [(byte)'b'], [(byte)'y'], 1, 5, [new RegionPeer(2, 1)], 1, 6);
        var keys = RegionSplitter.ValidKeys(region, [[(byte)'b'], [(byte)'z'], [], [(byte)'k'], [(byte)'k'], [(byte)'c']]);
        Assert.Equal([[(byte)'c'], [(byte)'k']], keys);
        var parts = RegionSplitter.Split(region, keys, new IdAllocator(10));
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.Equal(7UL, p.Version));
        Assert.Equal(1UL, parts[^1].Id);
    }
}
