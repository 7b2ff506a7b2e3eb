#!/usr/bin/env escript
%% Erlang/OTP asn1 side of the NGAP oracle test (tests/integration/test_ngap_erlang.sh).
%%   ngap.escript EBIN encode TERMS   encode each NGAP-PDU term, print hex per line
%%   ngap.escript EBIN recode HEXFILE decode each hex PDU and re-encode; report mismatches
main([Ebin, "encode", File]) ->
    true = code:add_path(Ebin),
    {ok, Terms} = file:consult(File),
    lists:foreach(fun(T) ->
        case catch 'NGAP':encode('NGAP-PDU', T) of
            {ok, B} -> io:format("~s~n", [binary:encode_hex(B)]);
            E -> io:format(standard_error, "ENCODE FAILED ~P~n  for ~P~n", [E, 12, T, 30]), halt(1)
        end end, Terms);
main([Ebin, "recode", File]) ->
    true = code:add_path(Ebin),
    {ok, Data} = file:read_file(File),
    Lines = [L || L <- binary:split(Data, <<"\n">>, [global]), L =/= <<>>],
    {Ok, Bad} = lists:foldl(fun(L, {O, Bd}) ->
        B = binary:decode_hex(L),
        case catch 'NGAP':decode('NGAP-PDU', B) of
            {ok, V} ->
                case catch 'NGAP':encode('NGAP-PDU', V) of
                    {ok, B} -> {O + 1, Bd};
                    R -> io:format("RE-ENCODE DIFFERS ~s~n  ~P~n", [L, R, 10]), {O, Bd + 1}
                end;
            E -> io:format("DECODE FAILED ~s~n  ~P~n", [L, E, 20]), {O, Bd + 1}
        end end, {0, 0}, Lines),
    io:format("ok ~p bad ~p~n", [Ok, Bad]),
    halt(if Bad =:= 0, Ok > 0 -> 0; true -> 1 end).
