%% Counts the calls it is asked to route: enough state to show the node is alive.
-module(ecallmgr_server).
-behaviour(gen_server).
-export([start_link/0, route/1, routed/0]).
-export([init/1, handle_call/3, handle_cast/2]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

route(CallId) -> gen_server:call(?MODULE, {route, CallId}).

routed() -> gen_server:call(?MODULE, routed).

init([]) -> {ok, 0}.

handle_call({route, _CallId}, _From, Count) -> {reply, ok, Count + 1};
handle_call(routed, _From, Count) -> {reply, Count, Count}.

handle_cast(_Msg, Count) -> {noreply, Count}.
