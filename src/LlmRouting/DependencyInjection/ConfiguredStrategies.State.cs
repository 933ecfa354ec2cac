using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LlmRouting.Configuration;
using LlmRouting.Costs;
using LlmRouting.Learning;
using LlmRouting.Statistics;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>The state the configured strategies share (see <see cref="ConfiguredStrategies"/>).</summary>
internal static partial class ConfiguredStrategies
{
    /// <summary>
    /// What the configured strategies share for the router's lifetime: the load tracker, the embedded routes, the budgets
    /// the cost-aware strategy charges, and the bandit that outcomes are passed to.
    /// </summary>
    /// <param name="feedbackInCode">Whether code turned on outcome feedback (<c>UseOutcomeFeedback</c>), so routes are remembered whatever is listed.</param>
    internal sealed class ConfiguredStrategyState(bool feedbackInCode) : IRouteObserver, IRouteOutcomeListener
    {
        private readonly Lock _gate = new();
        private TargetLoadTracker? _tracker;
        private EmbeddingRoutingStrategy? _embedding;
        private BudgetSpendObserver? _budgets;
        private IBudgetStore? _budgetStore;
        private IRoutingStatisticsStore? _statistics;
        private BanditStrategy? _bandit;
        private bool _feedback = feedbackInCode;

        /// <summary>The registered budget store (e.g. Redis), or one in-memory store for the router's lifetime.</summary>
        public IBudgetStore BudgetStore(IServiceProvider services)
        {
            if (services.GetService<IBudgetStore>() is { } registered)
            {
                return registered;
            }

            lock (_gate)
            {
                return _budgetStore ??= new InMemoryBudgetStore(services.GetService<TimeProvider>());
            }
        }

        public TargetLoadTracker LoadTracker(IServiceProvider services)
        {
            lock (_gate)
            {
                if (_tracker is null)
                {
                    var options = Bind(services, "LlmRouting:Load:Tracking", new LoadTrackingOptions());
                    OptionsValidation.ThrowIfInvalid(options, "LlmRouting:Load:Tracking");

                    _tracker = new TargetLoadTracker(options, services.GetService<TimeProvider>());
                }

                return _tracker;
            }
        }

        /// <summary>One embedding strategy (and one embedded index) for the router's lifetime; routes are read at start-up.</summary>
        public EmbeddingRoutingStrategy Embedding(EmbeddingRoutingOptions options, IServiceProvider services)
        {
            lock (_gate)
            {
                return _embedding ??= new EmbeddingRoutingStrategy(options, services.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
            }
        }

        /// <summary>Charges the configured cost-aware strategy's budgets from now on (replacing those of an earlier build).</summary>
        public void UseBudgets(IList<BudgetOptions> budgets, IServiceProvider services)
        {
            BudgetSpendObserver? observer = budgets.Count == 0 ? null
                : new BudgetSpendObserver(budgets, BudgetStore(services), services.GetService<ILogger<BudgetSpendObserver>>());
            Volatile.Write(ref _budgets, observer);
        }

        /// <summary>Gets the budgets the configured cost-aware strategy charges now.</summary>
        public IReadOnlyList<BudgetOptions> Budgets => Volatile.Read(ref _budgets)?.Budgets ?? [];

        /// <inheritdoc/>
        public void OnRouteCompleted(RouteInfo route) => Volatile.Read(ref _budgets)?.OnRouteCompleted(route);

        /// <summary>The router's outcome feedback when it starts with <c>bandit</c> listed; else an observer that does nothing.</summary>
        public IRouteObserver FeedbackObserver(IServiceProvider services)
        {
            if (!Lists(services, BanditStrategy.StrategyName))
            {
                return NoRouteObserver.Instance;
            }

            Volatile.Write(ref _feedback, true);
            return services.GetRequiredService<RouteFeedback>();
        }

        /// <summary>The configured bandit, which outcomes are passed to from now on (replacing that of an earlier build); its rewards go to the registered statistics store, else one in memory for the router's lifetime.</summary>
        public BanditStrategy Bandit(IServiceProvider services, BanditOptions options, LlmRoutingOptions routing)
        {
            if (!Volatile.Read(ref _feedback))
            {
                throw Invalid(
                    $"{LlmRoutingOptions.SectionName}:Strategies",
                    $"{LlmRoutingOptions.SectionName}:Strategies lists '{BanditStrategy.StrategyName}', but outcome feedback, which it learns from, is off: it is turned on when the router starts with '{BanditStrategy.StrategyName}' listed. Restart to list it, or call UseBandit() in code.");
            }

            IRoutingStatisticsStore store;
            lock (_gate)
            {
                store = services.GetService<IRoutingStatisticsStore>() ?? (_statistics ??= new InMemoryRoutingStatisticsStore());
            }

            BanditStrategy bandit = BanditLlmRouterBuilderExtensions.RequireTargets(BanditLlmRouterBuilderExtensions.Create(services, options, store), routing);
            Volatile.Write(ref _bandit, bandit);
            return bandit;
        }

        /// <inheritdoc/>
        public ValueTask OnOutcomeAsync(RouteFeedbackEntry route, double score, CancellationToken cancellationToken) =>
            Volatile.Read(ref _bandit)?.OnOutcomeAsync(route, score, cancellationToken) ?? ValueTask.CompletedTask;
    }
}
