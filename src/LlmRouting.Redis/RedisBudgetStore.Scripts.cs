namespace LlmRouting;

// The Lua scripts RedisBudgetStore runs: each purges expired holds and old completions first, then does one change atomically.
public sealed partial class RedisBudgetStore
{
    // KEYS: hash, holds, done. ARGV[1] now (ms), ARGV[2] the oldest completion still remembered (ms).
    private const string Purge = """
        local h, z, d = KEYS[1], KEYS[2], KEYS[3]
        local expired = redis.call('ZRANGEBYSCORE', z, '-inf', ARGV[1])
        for _, rid in ipairs(expired) do
          local amount = redis.call('HGET', h, 'r:' .. rid)
          if amount then
            if tonumber(amount) ~= 0 then redis.call('HINCRBY', h, 'held', -tonumber(amount)) end
            redis.call('HDEL', h, 'r:' .. rid)
          end
        end
        if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', ARGV[1]) end
        redis.call('ZREMRANGEBYSCORE', d, '-inf', '(' .. ARGV[2])
        local function balance() return redis.call('HGET', h, 'spent') or '0', redis.call('HGET', h, 'held') or '0' end
        local function unhold(id)
          local amount = redis.call('HGET', h, 'r:' .. id)
          if amount then
            if tonumber(amount) ~= 0 then redis.call('HINCRBY', h, 'held', -tonumber(amount)) end
            redis.call('HDEL', h, 'r:' .. id)
            redis.call('ZREM', z, id)
          end
        end
        -- Ends reservation id once: a second settle or release of the same id is a no-op ({0, …}).
        local function complete(id, retention, apply)
          if redis.call('ZSCORE', d, id) then
            local spent, held = balance()
            return {0, spent, held}
          end
          unhold(id)
          if apply then apply() end
          redis.call('ZADD', d, ARGV[1], id)
          redis.call('PEXPIRE', d, retention)
          local spent, held = balance()
          return {1, spent, held}
        end

        """;

    // ARGV[3] id, [4] amount, [5] limit ('' = none), [6] hold until, [7] keep the window until. Returns {status, spent, held}.
    private const string ReserveScript = Purge + """
        local id = ARGV[3]
        local spent, held = balance()
        if redis.call('ZSCORE', d, id) then return {3, spent, held} end
        if redis.call('HEXISTS', h, 'r:' .. id) == 1 then return {2, spent, held} end
        if ARGV[5] ~= '' and tonumber(spent) + tonumber(held) + tonumber(ARGV[4]) > tonumber(ARGV[5]) then return {0, spent, held} end
        if tonumber(ARGV[6]) > tonumber(ARGV[1]) then
          redis.call('HSET', h, 'r:' .. id, ARGV[4])
          held = redis.call('HINCRBY', h, 'held', ARGV[4])
          redis.call('ZADD', z, ARGV[6], id)
          redis.call('PEXPIREAT', z, ARGV[7])
          redis.call('PEXPIREAT', h, ARGV[7])
        end
        return {1, spent, held}
        """;

    // ARGV[3] id, [4] actual amount, [5] window end, [6] retention (ms). Returns {applied, spent, held}.
    private const string SettleScript = Purge + """
        return complete(ARGV[3], ARGV[6], function()
          redis.call('HINCRBY', h, 'spent', ARGV[4])
          redis.call('PEXPIREAT', h, ARGV[5])
        end)
        """;

    // ARGV[3] id, [4] retention (ms). Returns {applied, spent, held}.
    private const string ReleaseScript = Purge + """
        return complete(ARGV[3], ARGV[4])
        """;

    // Returns {1, spent, held}.
    private const string BalanceScript = Purge + """
        local spent, held = balance()
        return {1, spent, held}
        """;
}
