namespace LlmRouting.Agents;

/// <summary>Checks a call against the loop-detection limits, before it is sent.</summary>
internal static class LoopCheck
{
    /// <summary>The first limit the call passes, or <see langword="null"/>.</summary>
    public static AgentLoopEvidence? Evaluate(LoopDetectionOptions options, AgentStep step)
    {
        TurnTotals turn = step.Turn.Totals;
        LoopAction action = options.OnTrip;
        if (options.MaxStepsPerTurn is { } steps && turn.Steps > steps)
        {
            return new(LoopLimit.StepsPerTurn, steps, turn.Steps, step.StepIndex, null, action);
        }

        if (options.MaxStepsPerSession is { } sessionSteps && step.Session?.StepsEverywhere() is { } sessionStepsSoFar && sessionStepsSoFar > sessionSteps)
        {
            return new(LoopLimit.StepsPerSession, sessionSteps, sessionStepsSoFar, step.StepIndex, null, action);
        }

        if (options.MaxIdenticalToolCalls is { } identical && step.Turn.MostRepeatedCall() is { Function: { } function, Count: var count } && count > identical)
        {
            return new(LoopLimit.IdenticalToolCalls, identical, count, step.StepIndex, function, action);
        }

        if (options.MaxSpendPerTurn is { } turnSpend && turn.Cost is { } spent && spent >= turnSpend)
        {
            return new(LoopLimit.SpendPerTurn, turnSpend, spent, step.StepIndex, null, action);
        }

        if (options.MaxSpendPerSession is { } sessionSpend && step.Session?.Spent() is { } sessionSpent && sessionSpent >= sessionSpend)
        {
            return new(LoopLimit.SpendPerSession, sessionSpend, sessionSpent, step.StepIndex, null, action);
        }

        return null;
    }
}
