-- Saturation on GET /api/v1/members/{id}: a random seeded member on every request.
--
--   wrk -t2 -c64 -d30s -s bench/wrk/profile.lua http://127.0.0.1:8000 -- SEED_JSON
local seed = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "seed_ids.lua")

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("number", #threads)
end

function init(args)
  ids = seed.read(args[1], "member_ids")
  math.randomseed(os.time() * 100 + number)
  non2xx = 0
end

function request()
  return wrk.format("GET", "/api/v1/members/" .. ids[math.random(#ids)])
end

response = seed.response

function done(summary, latency, requests)
  seed.report(summary, latency, { non_2xx = seed.non_2xx(threads), threads = #threads })
end
