-- Saturation on GET /api/v1/teams/{id}, with known view counting.
--
--   wrk -t2 -c64 -d30s -s bench/wrk/team_detail.lua http://127.0.0.1:8000 -- SEED_JSON V SALT
--
-- Request i of every thread (i = 0, 1, ...) asks for team ids[i % T] as the anonymous viewer
-- number (i // T) % V, sent as X-Forwarded-For (the service believes it only from a peer in
-- WAP_TRUSTED_PROXIES, so start it with WAP_TRUSTED_PROXIES=127.0.0.1). Every thread sends
-- the same sequence, so the distinct (team, viewer) pairs sent are min(n, T*V) for the
-- longest thread's n requests: T*V once a thread has sent T*V. The service counts one view
-- per (team, viewer, KST day), so after `wap jobs run flush_views` the stored view counts
-- rise by exactly that many (done() reports it as distinct_pairs).
--
-- Viewers are addresses of 198.18.0.0/15 (RFC 2544's benchmarking range; nothing is sent
-- there, they are only header values): viewer v of run SALT (0-31, V <= 4096) is address
-- 198.18.0.0 + SALT * 4096 + v, so each SALT starts fresh sets. V = 0 sends no header: every
-- request is the peer 127.0.0.1, which counts one view per team and day (for warming up).
local seed = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed_ids.lua")

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  ids = seed.read(args[1], "team_ids")
  T = #ids
  V = tonumber(args[2] or "0")
  salt = tonumber(args[3] or "0")
  assert(V >= 0 and V <= 4096, "V must be 0..4096")
  assert(salt >= 0 and salt <= 31, "SALT must be 0..31")
  sent = 0
  non2xx = 0
end

local function address(v)
  local n = salt * 4096 + v
  return string.format("198.%d.%d.%d", 18 + math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
end

function request()
  local i = sent
  sent = sent + 1
  local path = "/api/v1/teams/" .. ids[(i % T) + 1]
  if V == 0 then
    return wrk.format("GET", path)
  end
  return wrk.format("GET", path, { ["X-Forwarded-For"] = address(math.floor(i / T) % V) })
end

response = seed.response

function done(summary, latency, requests)
  local most, least, teams, viewers = 0, math.huge, 0, 0
  for _, thread in ipairs(threads) do
    local n = thread:get("sent")
    most, least = math.max(most, n), math.min(least, n)
    teams, viewers = thread:get("T"), thread:get("V")
  end
  local pairs_sent = 0
  if viewers > 0 then
    pairs_sent = math.min(most, teams * viewers)
  end
  seed.report(summary, latency, {
    non_2xx = seed.non_2xx(threads),
    threads = #threads,
    most_sent_by_a_thread = most,
    least_sent_by_a_thread = least,
    teams = teams,
    viewers = viewers,
    distinct_pairs = pairs_sent,
    all_pairs_sent = tostring(viewers > 0 and most >= teams * viewers),
  })
end
