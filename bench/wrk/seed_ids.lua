-- Shared by the wrk scripts: read one list of ids from the seed file bench/seed.py wrote,
-- e.g. {"member_ids": [1, 2], "team_ids": [3, 4], ...}, and report a run as one JSON line.
local M = {}

function M.read(path, key)
  local file = assert(io.open(path, "r"), "cannot open the seed file " .. tostring(path))
  local text = file:read("*a")
  file:close()
  local list = text:match('"' .. key .. '"%s*:%s*%[(.-)%]')
  assert(list, "no " .. key .. " in " .. path)
  local ids = {}
  for id in list:gmatch("%d+") do
    ids[#ids + 1] = tonumber(id)
  end
  assert(#ids > 0, "no ids under " .. key .. " in " .. path)
  return ids
end

-- Every script counts the answers outside 2xx the same way (wrk counts only socket errors):
-- `non2xx = 0` in init(), `response = seed.response`, and `seed.non_2xx(threads)` in done().
function M.response(status)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function M.non_2xx(threads)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
  end
  return total
end

-- wrk's summary in one line the runner parses: latencies in microseconds.
function M.report(summary, latency, extra)
  local errors = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"duration_us": %d', summary.duration),
    string.format('"bytes": %d', summary.bytes),
    string.format('"connect_errors": %d', errors.connect),
    string.format('"read_errors": %d', errors.read),
    string.format('"write_errors": %d', errors.write),
    string.format('"status_errors": %d', errors.status),
    string.format('"timeouts": %d', errors.timeout),
    string.format('"mean_us": %.1f', latency.mean),
    string.format('"max_us": %d', latency.max),
    string.format('"p50_us": %d', latency:percentile(50)),
    string.format('"p95_us": %d', latency:percentile(95)),
    string.format('"p99_us": %d', latency:percentile(99)),
  }
  for key, value in pairs(extra) do
    fields[#fields + 1] = string.format('"%s": %s', key, tostring(value))
  end
  io.write("BENCH_JSON {" .. table.concat(fields, ", ") .. "}\n")
end

return M
