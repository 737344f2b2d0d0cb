-- POST /api/v1/sites/{site}/consents from a foreign Origin: every request is refused (403 origin_not_allowed).
-- Usage: wrk ... -s refused_post.lua URL -- SITE
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local path
local body = '{"visitor_id": "flood0000000000000000a", "policy_version": 1, "choices": {"analytics": true}, ' ..
   '"action": "accept_all", "language": "sv"}'

function init(args)
   path = "/api/v1/sites/" .. (args[1] or "bench") .. "/consents"
end

function request()
   return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Origin"] = "https://flood.example"}, body)
end
