using LlmRouting.Statistics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LlmRouting.Diagnostics;
using LlmRouting.Strategies;

namespace LlmRouting.Learning;

/// <summary>
/// Keeps the adaptive router learning while it runs: every label with a premium-need value adds evidence to its region
/// (the region of its task when the model's regions are named groups, else the nearest one) in the statistics store,
/// and the model is rebuilt from the shared evidence and swapped in atomically (<see cref="AdaptiveRoutingStrategy.ReplaceModel"/>).
/// </summary>
/// <remarks>
/// <para>
/// The evidence lives in the <see cref="IRoutingStatisticsStore"/> under <c>{KeyPrefix}:{base model version}:{region}:r</c>
/// (residuals against the base model's calibrated prior) and <c>…:c</c> (curvature), so with a shared store (Redis) every
/// instance rebuilds from every instance's labels; each label is added once, by the instance that recorded it. The model
/// is rebuilt every <see cref="AdaptiveLearningOptions.RefreshEvery"/> local labels and every
/// <see cref="AdaptiveLearningOptions.RefreshInterval"/>; its version is <c>{base}+{labels}</c>. A base without regions
/// (no model file) learns through <see cref="RetrainAsync"/>, which fits a new base from the label store.
/// A new file at <see cref="AdaptiveLearningOptions.ModelPath"/> becomes the base.
/// </para>
/// <para>Thread-safe: labels are taken in concurrently, rebuilds are serialised, decisions never wait.</para>
/// </remarks>
public sealed class AdaptiveLearner : IRoutingLabelListener, IDisposable
{
    private readonly AdaptiveRoutingStrategy _strategy;
    private readonly IRoutingStatisticsStore _statistics;
    private readonly IRoutingLabelStore _labels;
    private readonly AdaptiveLearningOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _rebuilding = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer? _timer;
    private AdaptiveModel _base;
    private DateTime _modelFileTime;
    private int _sinceRefresh;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="AdaptiveLearner"/> class.</summary>
    /// <param name="strategy">The strategy whose model is updated.</param>
    /// <param name="statistics">Where region evidence is shared.</param>
    /// <param name="labels">The label store <see cref="RetrainAsync"/> reads.</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of the refresh timer.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public AdaptiveLearner(
        AdaptiveRoutingStrategy strategy,
        IRoutingStatisticsStore statistics,
        IRoutingLabelStore labels,
        AdaptiveLearningOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<AdaptiveLearner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(labels);
        _options = options ?? new AdaptiveLearningOptions();
        Configuration.OptionsValidation.ThrowIfInvalid(_options, "LlmRouting:AdaptiveLearning");
        _strategy = strategy;
        _statistics = statistics;
        _labels = labels;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _base = strategy.Model;
        _modelFileTime = _options.ModelPath is { } path && File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        if (_options.RefreshInterval > TimeSpan.Zero)
        {
            _timer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => _ = TickAsync(), null, _options.RefreshInterval, _options.RefreshInterval);
        }
    }

    /// <summary>Gets the model the evidence is measured against (the trained or loaded one, before online labels).</summary>
    public AdaptiveModel BaseModel => Volatile.Read(ref _base);

    /// <inheritdoc/>
    public async ValueTask OnLabelAsync(RoutingLabel label, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(label);
        AdaptiveModel model = BaseModel;
        if (label.PremiumNeed is not { } need || model.Regions.Count == 0 || label.Features.Dimensions != model.Dimensions)
        {
            return;
        }

        // A label of a task the model has a region for is evidence about that region; any other goes to the nearest one.
        int region = model.RegionOfTask(label.Task) is var named and >= 0 ? named : model.NearestRegion(label.Features.ToDense());
        double p = model.Prior(label.DefaultScore);
        string key = Key(model, region);
        await _statistics.RecordAsync(key + ":r", need - p, cancellationToken).ConfigureAwait(false);
        await _statistics.RecordAsync(key + ":c", p * (1 - p), cancellationToken).ConfigureAwait(false);
        if (Interlocked.Increment(ref _sinceRefresh) >= _options.RefreshEvery)
        {
            Interlocked.Exchange(ref _sinceRefresh, 0);
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Rebuilds the model from the base and the shared evidence and swaps it in.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The model now in use.</returns>
    public async ValueTask<AdaptiveModel> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _rebuilding.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AdaptiveModel model = BaseModel;
            if (model.Regions.Count == 0)
            {
                return _strategy.Model;
            }

            string[] keys = [.. Enumerable.Range(0, model.Regions.Count).SelectMany(i => new[] { Key(model, i) + ":r", Key(model, i) + ":c" })];
            IReadOnlyDictionary<string, RoutingStatistic> totals = await _statistics.GetAsync(keys, cancellationToken).ConfigureAwait(false);
            var evidence = new AdaptiveRegion[model.Regions.Count];
            long labels = 0;
            for (int i = 0; i < evidence.Length; i++)
            {
                RoutingStatistic r = totals.GetValueOrDefault(Key(model, i) + ":r");
                RoutingStatistic c = totals.GetValueOrDefault(Key(model, i) + ":c");
                evidence[i] = new AdaptiveRegion(r.Count, r.Sum, c.Sum, r.SumOfSquares);
                labels += r.Count;
            }

            AdaptiveModel next = model.WithEvidence(evidence, string.Create(CultureInfo.InvariantCulture, $"{model.Version}+{labels}"));
            Swap(next);
            return next;
        }
        finally
        {
            _rebuilding.Release();
        }
    }

    /// <summary>Fits a new base model from every label in the store (<see cref="AdaptiveLearningOptions.Training"/>: by default one region per <see cref="RoutingLabel.Task"/> when the labels name two or more, else k-means regions) and swaps it in.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The new model.</returns>
    public async ValueTask<AdaptiveModel> RetrainAsync(CancellationToken cancellationToken = default)
    {
        var examples = new List<AdaptiveExample>();
        string? cursor = null;
        while (true)
        {
            RoutingLabelBatch batch = await _labels.ReadAsync(cursor, 1000, cancellationToken).ConfigureAwait(false);
            foreach (RoutingLabel label in batch.Labels)
            {
                if (label.PremiumNeed is { } need && label.Features.Dimensions == _options.Training.Dimensions)
                {
                    examples.Add(new AdaptiveExample(label.Features.ToDense(), label.DefaultScore, need, Group: _options.Training.GroupRegions ? label.Task : null));
                }
            }

            if (batch.Labels.Count == 0)
            {
                break;
            }

            cursor = batch.Cursor;
        }

        AdaptiveModel trained = AdaptiveTrainer.Train(examples, _options.Training, cancellationToken);
        await _rebuilding.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _base, trained);
            Swap(trained);
        }
        finally
        {
            _rebuilding.Release();
        }

        return trained;
    }

    /// <summary>Makes <paramref name="model"/> the base (e.g. a model file trained elsewhere) and swaps it in.</summary>
    /// <param name="model">The model.</param>
    public void ReplaceBase(AdaptiveModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _rebuilding.Wait();
        try
        {
            Volatile.Write(ref _base, model);
            Swap(model);
        }
        finally
        {
            _rebuilding.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // the container disposes the instance once per registration that returned it
        }

        _timer?.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private string Key(AdaptiveModel model, int region) => string.Create(CultureInfo.InvariantCulture, $"{_options.KeyPrefix}:{model.Version}:{region}");

    private void Swap(AdaptiveModel next)
    {
        AdaptiveModel previous = _strategy.ReplaceModel(next);
        if (!ReferenceEquals(previous, next))
        {
            Log.AdaptiveModelSwapped(_logger, previous.Version, next.Version, next.Labels);
        }
    }

    private async Task TickAsync()
    {
        try
        {
            if (_options.ModelPath is { } path && File.Exists(path) && File.GetLastWriteTimeUtc(path) is var written && written != _modelFileTime)
            {
                _modelFileTime = written;
                ReplaceBase(AdaptiveModelFile.Load(path));
            }

            await RefreshAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed.
        }
#pragma warning disable CA1031 // A failed refresh (store outage, a half-written file) keeps the current model; it is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.AdaptiveRefreshFailed(_logger, ex, ex.GetType().Name);
        }
    }
}
