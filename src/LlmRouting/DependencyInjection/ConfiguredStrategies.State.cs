using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LlmRouting.Configuration;
using LlmRouting.Costs;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>The state the configured strategies share (see <see cref="ConfiguredStrategies"/>).</summary>
internal static partial class ConfiguredStrategies
{
    /// <summary>What the configured strategies share for the router's lifetime: the load tracker, the embedded routes, and the budgets the cost-aware strategy charges.</summary>
    internal sealed class ConfiguredStrategyState : IRouteObserver
    {
        private readonly Lock _gate = new();
        private TargetLoadTracker? _tracker;
        private EmbeddingRoutingStrategy? _embedding;
        private BudgetSpendObserver? _budgets;
        private IBudgetStore? _budgetStore;

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
    }
}
