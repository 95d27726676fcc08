-module(kazoo_apps_app).
-behaviour(application).
-compile([{parse_transform, lager_transform}]).
-export([start/2, stop/1]).

%% `{kazoo_apps, [{fail_to_start, Reason}]}` in sys.config makes the start fail: the tests'
%% way to see what `kazoo start` says of a node whose application does not start.
start(_Type, _Args) ->
    case application:get_env(kazoo_apps, fail_to_start) of
        {ok, Reason} -> {error, Reason};
        undefined ->
            lager:info("kazoo_apps starting"),
            kazoo_apps_sup:start_link()
    end.

stop(_State) -> ok.
