using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TiKV.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TiKV client with dependency injection.</summary>
public static class TiKVServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="TiKVClient"/> (connecting on first use, disposed with the container)
    /// and its <see cref="RawKVClient"/>. Options are configured through the options pattern, so they can also
    /// be bound from configuration with <c>services.Configure&lt;TiKVClientOptions&gt;(...)</c>.
    /// </summary>
    public static IServiceCollection AddTiKVClient(this IServiceCollection services, Action<TiKVClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TiKVClientOptions>().Configure(configure).Validate(
            static options =>
            {
                options.Validate();
                return true;
            });
        services.TryAddSingleton(static sp => TiKVClient.Create(
            sp.GetRequiredService<IOptions<TiKVClientOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(static sp => sp.GetRequiredService<TiKVClient>().Raw);
        return services;
    }
}
