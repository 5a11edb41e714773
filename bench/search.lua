-- wrk script for bench/run.py: GET /bench/floor or GET /v1/search from random origins.
--
--   wrk -t1 -c4 -d10s -s bench/search.lua http://127.0.0.1:PORT -- MODE ORIGINS_FILE [CARE]
--
-- MODE is "floor", "search", "open_at" (the search with open_at, its minute varying
-- per origin so that no two requests in a row ask about the same moment) or "fhir"
-- (GET /fhir/Location?near, CARE = a category). ORIGINS_FILE has one "lat,lon" per line (bench/run.py writes
-- them shuffled from a fixed seed, so every run asks the same questions in the same order).
-- done() prints one line "BENCH_JSON {...}" with counts and latency percentiles in
-- microseconds, which bench/run.py parses.

local mode = "search"
local care = "pharmacy"
local paths = {}
local next_index = 1
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  mode = args[1] or "search"
  care = args[3] or "pharmacy"
  if mode == "floor" then
    paths = { "/bench/floor" }
    return
  end
  local file = assert(args[2], "search mode needs an origins file")
  for line in io.lines(file) do
    local lat, lon = line:match("^%s*([-%d.]+)%s*,%s*([-%d.]+)")
    if lat and mode == "fhir" then  -- CARE is then the provider category (issue 13)
      paths[#paths + 1] = "/fhir/Location?near=" .. lat .. "%7C" .. lon .. "&type=" .. care
        .. "&_count=10"
    elseif lat and mode == "open_at" then  -- the same search, only places open then (issue 12)
      paths[#paths + 1] = "/v1/search?care=" .. care .. "&lat=" .. lat .. "&lon=" .. lon
        .. string.format("&open_at=2026-12-08T11:%02d:00%%2B01:00", #paths % 60)
    elseif lat then
      paths[#paths + 1] = "/v1/search?care=" .. care .. "&lat=" .. lat .. "&lon=" .. lon
    end
  end
  assert(#paths > 0, "no origins in " .. file)
  -- Each wrk thread starts at its own place in the list.
  next_index = (tonumber(id) or 0) * 7919 % #paths + 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

local function num(x)
  return string.format("%.3f", x or 0)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write("BENCH_JSON {",
    '"requests":', summary.requests,
    ',"duration_us":', summary.duration,
    ',"bytes":', summary.bytes,
    ',"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"status":', e.status, ',"timeout":', e.timeout, "}",
    ',"latency_us":{',
    '"min":', num(latency.min),
    ',"mean":', num(latency.mean),
    ',"max":', num(latency.max),
    ',"stdev":', num(latency.stdev),
    ',"p50":', num(latency:percentile(50)),
    ',"p90":', num(latency:percentile(90)),
    ',"p99":', num(latency:percentile(99)),
    ',"p999":', num(latency:percentile(99.9)),
    "}}\n")
end
