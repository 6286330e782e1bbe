using System.Globalization;
using ScottPlot;

namespace ViaSocket.LoadTests;

/// <summary>The suite's PNG plots (ScottPlot), written next to the report.</summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 500;

    /// <summary>P1/P2: req/s per concurrency level, one bar per target, grouped by level.</summary>
    public static void Http(IReadOnlyList<Measurement> measurements, string path)
    {
        var plot = new Plot();
        var levels = measurements.Select(m => m.Concurrency).Distinct().Order().ToArray();
        var labels = measurements.Select(m => m.Label).Distinct().ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var barWidth = 0.8 / labels.Length;
        for (var t = 0; t < labels.Length; t++)
        {
            var bars = levels.Select((level, i) => new Bar
            {
                Position = i + ((t - ((labels.Length - 1) / 2.0)) * barWidth),
                Value = measurements.Single(m => m.Concurrency == level && m.Label == labels[t]).PerSecond,
                Size = barWidth * 0.95,
                FillColor = palette.GetColor(t),
            }).ToArray();
            var series = plot.Add.Bars(bars);
            series.LegendText = labels[t];
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            levels.Select((_, i) => (double)i).ToArray(), levels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Credentials over HTTP: req/s per concurrency (P1 hello-world, P2 DB-per-request)");
        plot.XLabel("concurrent connections");
        plot.YLabel("requests / s");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>P4: how long before expiry each connection was refreshed (one-second bins).</summary>
    public static void RefreshLag(StormStatistics storm, string path)
    {
        var plot = new Plot();
        var bars = storm.LagHistogram.Select(bin => new Bar
        {
            Position = bin[0] + 0.5,
            Value = bin[1],
            Size = 1,
            FillColor = bin[0] < 0 ? Colors.Red : Colors.SteelBlue,
        }).ToArray();
        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Refresh lag before expiry, {storm.Refreshed:N0} refreshes (red: after expiry)"));
        plot.XLabel("seconds before the replaced token expired");
        plot.YLabel("connections");
        plot.SavePng(path, Width, Height);
    }

    /// <summary>P4: refreshes completed per second since the first one fell due.</summary>
    public static void RefreshRate(StormStatistics storm, string path)
    {
        var plot = new Plot();
        var seconds = storm.PerSecond.Select((_, i) => (double)i).ToArray();
        var line = plot.Add.Scatter(seconds, storm.PerSecond.Select(c => (double)c).ToArray());
        line.MarkerSize = 0;
        line.LegendText = "refreshes completed";
        var goal = plot.Add.HorizontalLine(BenchReport.RefreshesPerSecondGoal);
        goal.LegendText = "goal";
        goal.LinePattern = LinePattern.Dashed;
        plot.Axes.Margins(bottom: 0);
        plot.Title("Refresh storm: refreshes per second");
        plot.XLabel("seconds since the first refresh fell due");
        plot.YLabel("refreshes / s");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>P5: bytes per active idle connection at each population, managed heap and RSS.</summary>
    public static void Memory(MemoryResult memory, string path)
    {
        var plot = new Plot();
        var series = new (string Label, Func<MemoryLevel, double> Value)[]
        {
            ("managed (GC.GetTotalMemory)", l => l.ManagedPerConnection),
            ("GC heap size", l => l.HeapPerConnection),
            ("RSS", l => l.RssPerConnection),
        };
        var palette = new ScottPlot.Palettes.Category10();
        var barWidth = 0.8 / series.Length;
        for (var s = 0; s < series.Length; s++)
        {
            var bars = memory.Levels.Select((level, i) => new Bar
            {
                Position = i + ((s - ((series.Length - 1) / 2.0)) * barWidth),
                Value = series[s].Value(level),
                Size = barWidth * 0.95,
                FillColor = palette.GetColor(s),
            }).ToArray();
            plot.Add.Bars(bars).LegendText = series[s].Label;
        }

        var goal = plot.Add.HorizontalLine(BenchReport.BytesPerConnectionGoal);
        goal.LegendText = "goal";
        goal.LinePattern = LinePattern.Dashed;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            memory.Levels.Select((_, i) => (double)i).ToArray(),
            memory.Levels.Select(l => l.Active.ToString("N0", CultureInfo.InvariantCulture) + " active").ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Memory per active idle connection");
        plot.YLabel("bytes / connection");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
    }
}
