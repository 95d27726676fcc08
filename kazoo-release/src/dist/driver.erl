%% Evaluated on the node by erl_eval:eval_str/1 (one call, no code loaded on the node).
%% The client puts in place of the job placeholder below {eval, Src} or {apply, M, F, [ArgSrc]} (sources as
%% byte binaries, so this text stays ASCII) and gets back one of
%%   {ok, Printed} | {parse_error, Line, Column, Message} | {bad_arg, N, ParseError}
%%   | {raised, Message}
%% with everything printed by Erlang itself (~p, format_error, format_exception).
begin
    Job = JOB,
    Text = fun(Chars) -> unicode:characters_to_binary(Chars) end,
    Scan = fun(Src) ->
        case erl_scan:string(unicode:characters_to_list(Src), {1, 1}) of
            {ok, Tokens, End} -> {ok, Tokens, End};
            {error, ScanError, _} -> {error, ScanError}
        end
    end,
    %% The final dot is optional on the command line.
    Dotted = fun(Tokens, End) ->
        case lists:reverse(Tokens) of
            [{dot, _} | _] -> Tokens;
            _ -> Tokens ++ [{dot, End}]
        end
    end,
    Parse = fun(Src, Parser) ->
        case Scan(Src) of
            {ok, Tokens, End} -> Parser(Dotted(Tokens, End));
            ScanError -> ScanError
        end
    end,
    Describe = fun({{Line, Column}, Mod, Desc}) -> {parse_error, Line, Column, Text(Mod:format_error(Desc))};
                  ({Line, Mod, Desc}) -> {parse_error, Line, 0, Text(Mod:format_error(Desc))}
               end,
    %% What the job runs ends when the client goes: the client's node is our group
    %% leader's, and a watcher kills this process at its nodedown (a timeout, a ^C).
    Self = self(),
    Client = node(group_leader()),
    Watcher = spawn(fun() ->
        erlang:monitor_node(Client, true),
        receive
            {nodedown, Client} -> exit(Self, kill);
            done -> ok
        end
    end),
    Run = fun(Thunk) ->
        try Thunk() of
            Value -> Watcher ! done, {ok, Text(io_lib:format("~p", [Value]))}
        catch
            Class:Reason:Stack ->
                %% The frames of this driver (erl_eval) and of rex say nothing about the error.
                Ours = fun(Mod, _, _) -> lists:member(Mod, [erl_eval, erpc, rpc]) end,
                Message = erl_error:format_exception(Class, Reason, Stack, #{stack_trim_fun => Ours}),
                Watcher ! done,
                {raised, Text(Message)}
        end
    end,
    case Job of
        {eval, Src} ->
            case Parse(Src, fun erl_parse:parse_exprs/1) of
                {ok, Exprs} -> Run(fun() -> element(2, erl_eval:exprs(Exprs, [])) end);
                {error, Info} -> Describe(Info)
            end;
        {apply, M, F, ArgSrcs} ->
            Parsed = [Parse(A, fun erl_parse:parse_term/1) || A <- ArgSrcs],
            Numbered = lists:zip(lists:seq(1, length(Parsed)), Parsed),
            case [{N, Info} || {N, {error, Info}} <- Numbered] of
                [] -> Run(fun() -> apply(M, F, [T || {ok, T} <- Parsed]) end);
                [{N, Info} | _] -> {bad_arg, N, Describe(Info)}
            end
    end
end.
