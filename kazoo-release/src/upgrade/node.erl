%% Evaluated on the node by erl_eval:eval_str/1 (one call, no code of ours loaded on the node).
%% The client puts in place of the job placeholder below one of
%%   {facts, [{App, Ebin}]}: what the node runs, and the MD5 of each .beam in each Ebin, as
%%     lines `app App Vsn`, `loaded App Mod Md5|none`, `new App Mod Md5`, `config File`
%%     (the sys.config it booted with);
%%   {apply, Plan}: the plan applied in the order OTP's release_handler applies a relup, all
%%     or nothing, answered with lines `ok`, `phases SuspendUs LoadUs ChangeUs ResumeUs`,
%%     `suspended Mod Pid`, `not_purged Mod Pids` or
%%     `failed Reason` then `undone Step` (each step put back) or `undo_failed Step Reason`.
%% Every name and path travels as a byte binary, so this text stays ASCII; the answer is one
%% binary of lines, which the client reads without decoding nested terms.
begin
    Job = JOB,
    Str = fun erlang:binary_to_list/1,
    Atom = fun(Bin) -> binary_to_atom(Bin, utf8) end,
    Fmt = fun(F, Args) -> iolist_to_binary(io_lib:format(F, Args)) end,
    Hex = fun(Bin) -> iolist_to_binary([io_lib:format("~2.16.0b", [X]) || <<X>> <= Bin]) end,
    case Job of
        {facts, NewApps} ->
            Running = [{App, Vsn} || {App, _, Vsn} <- application:which_applications()],
            Md5 = fun(M) ->
                case code:is_loaded(M) of
                    {file, _} -> Hex(M:module_info(md5));
                    false -> <<"none">>
                end
            end,
            Mods = fun(App) ->
                case application:get_key(App, modules) of
                    {ok, Ms} -> Ms;
                    undefined -> []
                end
            end,
            Apps = [Fmt("app ~s ~s~n", [App, Vsn]) || {App, Vsn} <- Running],
            Loaded = [[Fmt("loaded ~s ~s ~s~n", [App, M, Md5(M)]) || M <- Mods(App)] || {App, _} <- Running],
            New = [[case beam_lib:md5(File) of
                        {ok, {M, Sum}} -> Fmt("new ~s ~s ~s~n", [App, M, Hex(Sum)]);
                        {error, beam_lib, Reason} -> Fmt("bad ~s ~s ~0p~n", [App, File, Reason])
                    end || File <- filelib:wildcard(filename:join(Str(Ebin), "*.beam"))]
                   || {App, Ebin} <- NewApps],
            Config = case init:get_argument(config) of
                         {ok, [[File | _] | _]} -> Fmt("config ~ts~n", [File]);
                         _ -> <<>>
                     end,
            iolist_to_binary([Apps, Loaded, New, Config]);
        {apply, Plan} ->
            #{direction := Direction, paths := Paths, add := Add, change := Change, delete := Delete,
              start := Start, stop := Stop, remove_paths := RemovePaths, extra := Extra, modes := Modes,
              new_apps := NewAppFiles, new_config := NewConfig,
              old_apps := OldAppFiles, old_config := OldConfig} = Plan,
            Undo = '$release_upgrade_undo',
            put(Undo, []),
            Fail = fun(What, Reason) -> throw({failed, Fmt("~s: ~0tp", [What, Reason])}) end,
            Push = fun(What, Fun) -> put(Undo, [{What, Fun} | get(Undo)]) end,
            Consult = fun(File) ->
                case file:consult(Str(File)) of
                    {ok, [Term]} -> Term;
                    {ok, _} -> Fail(Fmt("read ~s", [File]), not_one_term);
                    {error, Reason} -> Fail(Fmt("read ~s", [File]), Reason)
                end
            end,
            Read = fun(File) ->
                case file:read_file(File) of
                    {ok, Bin} -> Bin;
                    {error, Reason} -> Fail(Fmt("read ~s", [File]), Reason)
                end
            end,
            VsnOf = fun(Bin) ->
                case beam_lib:version(Bin) of
                    {ok, {_, [V]}} -> V;
                    {ok, {_, V}} -> V
                end
            end,
            Load = fun(M, File, Bin) ->
                code:soft_purge(M) orelse Fail(Fmt("load ~s", [M]), {old_code_still_running, M}),
                case code:load_binary(M, File, Bin) of
                    {module, M} -> ok;
                    {error, Reason} -> Fail(Fmt("load ~s", [M]), Reason)
                end
            end,
            %% The processes running each module, found through the supervision trees of the
            %% running applications, as release_handler_1:get_supervised_procs finds them.
            Children = fun Walk(Sup) ->
                %% A bounded wait: an application's top process need not be a supervisor.
                Kids = try gen_server:call(Sup, which_children, 5000) catch _:_ -> [] end,
                lists:flatmap(fun({_, Pid, supervisor, Ms}) when is_pid(Pid) -> [{Pid, Ms} | Walk(Pid)];
                                 ({_, Pid, worker, Ms}) when is_pid(Pid), is_list(Ms) -> [{Pid, Ms}];
                                 (_) -> []
                              end, Kids)
            end,
            Tops = [case application_master:get_child(Master) of
                        {Pid, _AppMod} when is_pid(Pid) ->
                            %% Walked only when it is a supervisor: a which_children call
                            %% could crash another kind of process.
                            try supervisor:get_callback_module(Pid) of
                                SupMod -> [{Pid, [SupMod]} | Children(Pid)]
                            catch
                                _:_ -> []
                            end;
                        _ -> []
                    end || {App, _, _} <- application:which_applications(),
                           Master <- [application_controller:get_master(App)], is_pid(Master)],
            Supervised = lists:append(Tops),
            ProcsOf = fun(M) -> lists:usort([P || {P, Ms} <- Supervised, lists:member(M, Ms)]) end,
            Result = try
                %% Everything read first: nothing changes on the node when a file is missing.
                NewBins = [{Atom(M), Str(F), Read(Str(F))} || {M, F} <- Add ++ Change],
                Old = [case code:which(Atom(M)) of
                           File when is_list(File) -> {Atom(M), File, Read(File)};
                           Other -> Fail(Fmt("find the loaded ~s", [M]), Other)
                       end || M <- [M || {M, _} <- Change] ++ Delete],
                OldSpecs = [Consult(F) || F <- OldAppFiles],
                NewSpecs = [Consult(F) || F <- NewAppFiles],
                OldConf = Consult(OldConfig),
                NewConf = Consult(NewConfig),
                EnvBefore = application_controller:prep_config_change(),
                %% How each changed module changes: auto (its sys processes suspended and
                %% code_change'd), or as an .appup says: {advanced, Extra}, soft (suspended, no
                %% code_change), load (no suspension).
                ModeOf = fun(M) -> maps:get(M, Modes, auto) end,
                Changed = [{Atom(M), case ModeOf(Atom(M)) of load -> []; _ -> ProcsOf(Atom(M)) end} || {M, _} <- Change],
                %% Code paths.
                lists:foreach(fun({App, NewEbin, none}) ->
                                      code:add_patha(Str(NewEbin)) =:= true orelse Fail(Fmt("add path ~s", [NewEbin]), bad_directory),
                                      Push(Fmt("path ~s", [App]), fun() -> code:del_path(Str(NewEbin)) end);
                                 ({App, NewEbin, OldEbin}) ->
                                      case code:replace_path(Atom(App), Str(NewEbin)) of
                                          true -> ok;
                                          {error, R} -> Fail(Fmt("switch the path of ~s", [App]), R)
                                      end,
                                      Push(Fmt("path ~s", [App]), fun() -> code:replace_path(Atom(App), Str(OldEbin)) end)
                              end, Paths),
                %% The new .app files and sys.config, as release_handler's change_appl_data.
                case application_controller:change_application_data(NewSpecs, NewConf) of
                    ok -> ok;
                    {error, R1} -> Fail(<<"change the application data">>, R1)
                end,
                Push(<<"application data">>, fun() -> ok = application_controller:change_application_data(OldSpecs, OldConf) end),
                %% Suspend, load, code_change, resume (down: code_change before the load).
                Pids = lists:usort(lists:append([Ps || {_, Ps} <- Changed])),
                Now = fun() -> erlang:monotonic_time(microsecond) end,
                SuspendAt = Now(),
                lists:foreach(fun(P) ->
                                      try sys:suspend(P) catch _:R2 -> Fail(Fmt("suspend ~p", [P]), R2) end,
                                      Push(Fmt("suspend ~p", [P]), fun() -> sys:resume(P) end)
                              end, Pids),
                Vsns = maps:from_list([{M, {VsnOf(Bin), VsnOf(proplists:get_value(M, [{Mo, B} || {Mo, _, B} <- NewBins]))}}
                                       || {M, _, Bin} <- Old, lists:keymember(M, 1, Changed)]),
                CodeChange = fun(M, P, Arg, Back) ->
                    X = case ModeOf(M) of {advanced, E} -> E; _ -> Extra end,
                    case catch sys:change_code(P, M, Arg, X) of
                        ok -> Push(Fmt("code_change ~s ~p", [M, P]), fun() -> ok = sys:change_code(P, M, Back, X) end);
                        Error -> Fail(Fmt("code_change of ~s in ~p", [M, P]), Error)
                    end
                end,
                LoadAll = fun() ->
                    lists:foreach(fun({M, File, Bin}) ->
                                          Load(M, File, Bin),
                                          case lists:keyfind(M, 1, Old) of
                                              {M, OldFile, OldBin} ->
                                                  Push(Fmt("load ~s", [M]), fun() -> Load(M, OldFile, OldBin) end);
                                              false ->
                                                  Push(Fmt("load ~s", [M]), fun() -> code:soft_purge(M), code:delete(M), code:soft_purge(M) end)
                                          end
                                  end, NewBins)
                end,
                ChangeAll = fun() ->
                    [begin
                         {OldVsn, NewVsn} = maps:get(M, Vsns),
                         case Direction of
                             up -> CodeChange(M, P, OldVsn, {down, OldVsn});
                             down -> CodeChange(M, P, {down, NewVsn}, NewVsn)
                         end
                     end || {M, Ps} <- Changed, ModeOf(M) =/= soft, P <- Ps],
                    ok
                end,
                SuspendedAt = Now(),
                {LoadTook, ChangeTook} = case Direction of
                                             up -> LoadAll(), LoadedAt = Now(), ChangeAll(),
                                                   {LoadedAt - SuspendedAt, Now() - LoadedAt};
                                             down -> ChangeAll(), LoadedAt = Now(), LoadAll(),
                                                     {Now() - LoadedAt, LoadedAt - SuspendedAt}
                                         end,
                ResumeAt = Now(),
                lists:foreach(fun(P) ->
                                      sys:resume(P),
                                      Push(Fmt("resume ~p", [P]), fun() -> sys:suspend(P) end)
                              end, Pids),
                Phases = Fmt("phases ~b ~b ~b ~b~n", [SuspendedAt - SuspendAt, LoadTook, ChangeTook, Now() - ResumeAt]),
                %% Applications: the removed ones stopped, the new ones started.
                lists:foreach(fun(App) ->
                                      A = Atom(App),
                                      case application:stop(A) of
                                          ok -> ok;
                                          {error, R3} -> Fail(Fmt("stop ~s", [App]), R3)
                                      end,
                                      Push(Fmt("stop ~s", [App]), fun() -> ok = application:start(A, temporary) end)
                              end, Stop),
                lists:foreach(fun({M, _, _}) ->
                                      code:soft_purge(M) orelse Fail(Fmt("remove ~s", [M]), old_code_still_running),
                                      code:delete(M),
                                      {M, OldFile, OldBin} = lists:keyfind(M, 1, Old),
                                      Push(Fmt("remove ~s", [M]), fun() -> Load(M, OldFile, OldBin) end)
                              end, [O || {M, _, _} = O <- Old, lists:member(M, [Atom(D) || D <- Delete])]),
                %% Started temporary: a permanent application that fails to start would take
                %% the node down, where the rollback must keep it up. The boot script of the
                %% version starts it permanent at the next restart.
                lists:foreach(fun(App) ->
                                      A = Atom(App),
                                      case application:start(A, temporary) of
                                          ok -> ok;
                                          {error, R4} -> application:unload(A), Fail(Fmt("start ~s", [App]), R4)
                                      end,
                                      Push(Fmt("start ~s", [App]), fun() -> application:stop(A), application:unload(A) end)
                              end, Start),
                %% The environment's changes, to each application's config_change/3.
                case application_controller:config_change(EnvBefore) of
                    ok -> ok;
                    {error, R5} -> Fail(<<"config_change">>, R5)
                end,
                %% Committed: old code purged softly, what still runs it said.
                NotPurged = [Fmt("not_purged ~s ~w~n", [M, [P || P <- processes(), erlang:check_process_code(P, M)]])
                             || {M, _} <- Changed, not code:soft_purge(M)],
                [application:unload(Atom(App)) || App <- Stop],
                [code:del_path(Str(D)) || D <- RemovePaths],
                iolist_to_binary([<<"ok\n">>, Phases,
                                  [Fmt("suspended ~s ~w~n", [M, Ps]) || {M, Ps} <- Changed, Ps =/= []],
                                  NotPurged])
            catch
                Class:Reason ->
                    Message = case {Class, Reason} of
                                  {throw, {failed, Text}} -> Text;
                                  _ -> Fmt("~0tp:~0tp", [Class, Reason])
                              end,
                    Undone = [try F() of
                                  _ -> Fmt("undone ~s~n", [What])
                              catch
                                  C:R -> Fmt("undo_failed ~s ~0tp:~0tp~n", [What, C, R])
                              end || {What, F} <- get(Undo)],
                    iolist_to_binary([<<"failed ">>, Message, <<"\n">>, Undone])
            end,
            erase(Undo),
            Result
    end
end.
