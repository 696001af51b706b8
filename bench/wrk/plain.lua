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

response = seed.response

function done(summary, latency, requests)
  seed.report(summary, latency, { non_2xx = seed.non_2xx(threads), threads = #threads })
end
