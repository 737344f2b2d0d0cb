-- GET /api/v1/sites/{site}/visitors/{id}/consent for random seeded visitors.
-- Usage: wrk ... -s get_state.lua URL -- SITE VISITORS_FILE (one visitor id per line)
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local paths = {}

function init(args)
   local site = args[1] or "bench"
   for line in io.lines(args[2]) do
      if #line > 0 then
         paths[#paths + 1] = "/api/v1/sites/" .. site .. "/visitors/" .. line .. "/consent"
      end
   end
   math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

function request()
   return wrk.format("GET", paths[math.random(1, #paths)])
end
