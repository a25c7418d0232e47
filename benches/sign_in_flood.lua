-- wrk script for benches/sign_in_flood.sh: one client guessing passwords as fast as it
-- is answered; counts the answers by status.
wrk.method = "POST"
wrk.body = '{"login":"flooded","password":"not the password"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("  answered %d: %d\n", status, n))
  end
end
