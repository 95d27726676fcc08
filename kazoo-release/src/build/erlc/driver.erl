%% The compiler VM of kazoo_release::build::erlc: one `erl -noshell` for a whole build,
%% reading requests (one term a line) on stdin and answering on stdout, one term a line.
%% Requests run in processes of their own; the Rust side keeps at most `jobs` of them in
%% flight. Text in replies is preformatted here, so that the replies are plain data.
%%
%%   {paths, [Dir]}                      -> {paths, ok}            prepend ebin dirs
%%   {arch}                              -> {arch, "25-x86_64-pc-linux-gnu-64"}
%%   {compile, Id, File, Options}        -> {compiled, Id, ok | error, [Diag], [Diag]}
%%   {script, Id, File, Bindings}        -> {script, Id, {ok, Value} | {error, Text}}
%%
%% where Diag = {File, Line, Column, Text} (0 where the compiler gives no place).
-module(kazoo_release_erlc_driver).
-export([main/0]).

main() ->
    ok = io:setopts(standard_io, [{encoding, unicode}]),
    Main = self(),
    spawn_link(fun() -> read_requests(Main) end),
    loop(0, open).

read_requests(Main) ->
    case io:read(standard_io, '') of
        {ok, Request} -> Main ! {request, Request}, read_requests(Main);
        {eof, _} -> Main ! eof;
        eof -> Main ! eof;
        {error, Reason} -> reply({bad_request, text(io_lib:format("~tp", [Reason]))}), halt(2)
    end.

%% Pending: requests whose worker has not answered yet; the VM ends when stdin has and
%% every answer is out.
loop(0, eof) ->
    halt(0);
loop(Pending, Input) ->
    receive
        {request, Request} -> loop(Pending + handle(Request), Input);
        {reply, Reply} -> reply(Reply), loop(Pending - 1, Input);
        eof -> loop(Pending, eof)
    end.

handle({paths, Dirs}) ->
    ok = code:add_pathsa(Dirs),
    reply({paths, ok}),
    0;
handle({arch}) ->
    Arch = erlang:system_info(otp_release) ++ "-" ++ erlang:system_info(system_architecture)
        ++ "-" ++ integer_to_list(erlang:system_info({wordsize, external}) * 8),
    reply({arch, Arch}),
    0;
handle({compile, Id, File, Options}) ->
    in_worker(fun() -> {compiled, Id} end, fun() -> compile(Id, File, Options) end);
handle({script, Id, File, Bindings}) ->
    in_worker(fun() -> {script, Id} end, fun() -> script(Id, File, Bindings) end);
handle(Other) ->
    reply({bad_request, text(io_lib:format("~tp", [Other]))}),
    0.

%% Runs Work in a process of its own (one pending answer) whose output (a parse transform's io:format, a script's
%% prints) goes to stderr, never into the replies on stdout.
in_worker(Tag, Work) ->
    Main = self(),
    Sink = spawn(fun() -> sink() end),
    spawn(fun() ->
                  group_leader(Sink, self()),
                  Reply = try Work()
                          catch Class:Reason:Stack ->
                                  Text = io_lib:format("~tp:~tp ~tp", [Class, Reason, Stack]),
                                  erlang:append_element(Tag(), {crashed, text(Text)})
                          end,
                  Sink ! stop,
                  Main ! {reply, Reply}
          end),
    1.

sink() ->
    receive
        {io_request, From, Ref, Request} ->
            From ! {io_reply, Ref, sink_request(Request)},
            sink();
        stop -> ok
    end.

sink_request({put_chars, Encoding, Chars}) ->
    io:put_chars(standard_error, unicode:characters_to_binary(Chars, Encoding)), ok;
sink_request({put_chars, Encoding, M, F, A}) ->
    sink_request({put_chars, Encoding, apply(M, F, A)});
sink_request({requests, Requests}) ->
    lists:foreach(fun sink_request/1, Requests), ok;
sink_request({get_geometry, _}) -> {error, enotsup};
sink_request({setopts, _}) -> ok;
sink_request(getopts) -> [];
sink_request(_) -> eof.

compile(Id, File, Options) ->
    case compile:file(File, [return | Options]) of
        {ok, _Module, Warnings} -> {compiled, Id, ok, [], diagnostics(Warnings)};
        {ok, _Module} -> {compiled, Id, ok, [], []};
        {error, Errors, Warnings} -> {compiled, Id, error, diagnostics(Errors), diagnostics(Warnings)};
        error -> {compiled, Id, error, [{File, 0, 0, "the compiler gave no reason"}], []}
    end.

diagnostics(PerFile) ->
    [diagnostic(File, Location, Module, Descriptor)
     || {File, Items} <- PerFile, {Location, Module, Descriptor} <- Items].

diagnostic(File, Location, Module, Descriptor) ->
    {Line, Column} = case Location of
                         {L, C} when is_integer(L), is_integer(C) -> {L, C};
                         L when is_integer(L) -> {L, 0};
                         _ -> {0, 0}
                     end,
    Text = try Module:format_error(Descriptor)
           catch _:_ -> io_lib:format("~tp", [Descriptor])
           end,
    {text(File), Line, Column, text(Text)}.

script(Id, File, Bindings) ->
    Bound = lists:foldl(fun({Name, Value}, Acc) -> erl_eval:add_binding(Name, Value, Acc) end,
                        erl_eval:new_bindings(), Bindings),
    case file:script(File, Bound) of
        {ok, Value} -> {script, Id, {ok, Value}};
        {error, Reason} -> {script, Id, {error, text(file:format_error(Reason))}}
    end.

text(Chars) ->
    unicode:characters_to_list(Chars).

%% One line, whatever its size: strings' newlines are escaped, so a line is a reply.
reply(Term) ->
    Line = io_lib_pretty:print(Term, [{column, 1}, {line_length, 1 bsl 30}, {encoding, unicode}, {strings, true}]),
    io:put_chars(standard_io, [Line, ".\n"]).
