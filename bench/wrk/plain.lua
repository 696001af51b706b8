-- Saturation on one fixed path (the floor app's /floor), reported as the other scripts do.
--
--   wrk -t2 -c64 -d30s -s bench/wrk/plain.lua http://127.0.0.1:8001 -- /floor
--
-- It defines request() and response() like team_detail.lua and profile.lua, so that wrk does
-- the same work per request in every run and the comparison is fair.
local seed = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed_ids.lua")

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  path = args[1] or "/"
  non2xx = 0
end

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non_2xx = 0
  for _, thread in ipairs(threads) do
    non_2xx = non_2xx + thread:get("non2xx")
  end
  seed.report(summary, latency, { non_2xx = non_2xx, threads = #threads })
end
