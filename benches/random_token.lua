-- wrk script: GET /api/v1/verify/{token} for a random token among the N filled ones.
local n = tonumber(os.getenv("N") or "100000")
local prefix = os.getenv("PREFIX") or "/api/v1/verify/"

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format("GET", prefix .. string.format("bench%017d", math.random(n)))
end
