-module(kazoo_apps_app).
-behaviour(application).
-compile([{parse_transform, lager_transform}]).
-export([start/2, stop/1]).

start(_Type, _Args) ->
    lager:info("kazoo_apps starting"),
    kazoo_apps_sup:start_link().

stop(_State) -> ok.
