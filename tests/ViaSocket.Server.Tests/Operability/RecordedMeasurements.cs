using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Operability;

/// <summary>One measurement of an instrument, with its tags.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public bool Has(string tag, object value) => Tags.TryGetValue(tag, out var actual) && Equals(actual?.ToString(), value.ToString());
}

/// <summary>
/// Listens to the <c>ViaSocket</c> meter of one test host only: meters are told apart by the host's meter factory, so
/// the hosts of other test classes running at the same time do not leak into the recording.
/// </summary>
public sealed class RecordedMeasurements : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> measurements = new();

    public RecordedMeasurements(ViaSocketTestHost host)
    {
        var factory = host.App.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ViaSocketMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => [.. measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Collects the observable instruments (the connections gauge) now.</summary>
    public void Observe() => listener.RecordObservableInstruments();

    public void Dispose() => listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copied[key] = tagValue;
        }

        measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, copied));
    }
}
