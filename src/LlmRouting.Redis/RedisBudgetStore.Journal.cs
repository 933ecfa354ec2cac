using LlmRouting.Accounting;
using LlmRouting.Costs;

namespace LlmRouting;

// The write-behind journal of RedisBudgetStore: changes made while Redis was unreachable, one per reservation id, with running totals per key.
public sealed partial class RedisBudgetStore
{
    /// <summary>Journals <paramref name="op"/>, replacing whatever was journaled for its id (a settle or release supersedes a hold).</summary>
    private void Journal(Pending op)
    {
        lock (_journalGate)
        {
            if (_journal.Remove(op.Id, out Pending? previous))
            {
                Account(previous, -1);
            }

            _journal[op.Id] = op;
            Account(op, +1);
            _journalCount = _journal.Count;
        }
    }

    private void Unjournal(Pending op)
    {
        lock (_journalGate)
        {
            if (_journal.TryGetValue(op.Id, out Pending? current) && ReferenceEquals(current, op))
            {
                _journal.Remove(op.Id);
                Account(op, -1);
                _journalCount = _journal.Count;
            }
        }
    }

    private void DropJournaledHold(string id)
    {
        if (_journalCount == 0)
        {
            return;
        }

        lock (_journalGate)
        {
            if (_journal.TryGetValue(id, out Pending? current) && current.Kind == PendingKind.Hold)
            {
                _journal.Remove(id);
                Account(current, -1);
                _journalCount = _journal.Count;
            }
        }
    }

    private void Account(Pending op, int sign)
    {
        (long spent, long held) = op.Kind switch
        {
            PendingKind.Hold => (0L, op.Nanos),
            PendingKind.Settle => (op.Nanos, -op.RemoteHold),
            _ => (0L, -op.RemoteHold),
        };
        (long Spent, long Held, int Count) total = _journalByKey.GetValueOrDefault(op.Key);
        total = (total.Spent + (sign * spent), total.Held + (sign * held), total.Count + sign);
        if (total.Count == 0)
        {
            _journalByKey.Remove(op.Key);
        }
        else
        {
            _journalByKey[op.Key] = total;
        }
    }

    private enum PendingKind
    {
        Hold,
        Settle,
        Release,
    }

    /// <summary>A hold this instance took and has not yet ended; <c>Remote</c> when Redis granted it (it is in the balance Redis returns).</summary>
    private readonly record struct LocalHold(string Key, long Nanos, DateTimeOffset HoldUntil, bool Remote);

    /// <summary>A change waiting to be replayed; <c>RemoteHold</c> is the hold Redis still counts that this change ends.</summary>
    private sealed record Pending(PendingKind Kind, string Key, string Id, long Nanos, long RemoteHold, DateTimeOffset HoldUntil, DateTimeOffset WindowEnd)
    {
        public string Script => Kind switch
        {
            PendingKind.Hold => ReserveScript,
            PendingKind.Settle => SettleScript,
            _ => ReleaseScript,
        };

        public static Pending Hold(BudgetReservation reservation, long nanos) =>
            new(PendingKind.Hold, reservation.Key, reservation.Id, nanos, 0, reservation.HoldUntil, reservation.WindowEnd);

        public static Pending Settle(string key, string id, long nanos, long remoteHold, DateTimeOffset windowEnd) =>
            new(PendingKind.Settle, key, id, nanos, remoteHold, DateTimeOffset.MaxValue, windowEnd);

        public static Pending Release(string key, string id, long remoteHold) =>
            new(PendingKind.Release, key, id, 0, remoteHold, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
    }
}
