%% Logs through lager on start and on each ping, so tests can see lager's files being written.
-module(kazoo_apps_server).
-behaviour(gen_server).
-compile([{parse_transform, lager_transform}]).
-export([start_link/0, ping/0]).
-export([init/1, handle_call/3, handle_cast/2]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

ping() -> gen_server:call(?MODULE, ping).

init([]) ->
    lager:info("kazoo_apps_server started"),
    lager:error("kazoo_apps_server error log check"),
    {ok, 0}.

handle_call(ping, _From, N) ->
    lager:info("ping ~b", [N + 1]),
    {reply, pong, N + 1}.

handle_cast(_Msg, N) -> {noreply, N}.
