using TiKV.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
