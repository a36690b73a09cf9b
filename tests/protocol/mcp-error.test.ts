import { ErrorCode as SdkErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, isMcpError, mcpError } from '../../src/protocol/mcp-error';

describe('the McpError the modules loaded before the spawns use', () => {
  it('answers with the same codes as the SDK', () => {
    for (const [name, code] of Object.entries(ErrorCode))
      expect([name, code]).toEqual([name, SdkErrorCode[name as keyof typeof SdkErrorCode]]);
  });

  it("is the SDK's own class, so the 2025 front sends it as the error it is", () => {
    const error = mcpError(ErrorCode.InvalidParams, 'no such backend', { backend: 'x' });
    expect(error).toBeInstanceOf(McpError);
    expect([error.code, error.message, error.data]).toEqual([
      -32602,
      'MCP error -32602: no such backend',
      { backend: 'x' },
    ]);
    expect(isMcpError(new McpError(-32601, 'nope'))).toBe(true);
    expect(isMcpError(new Error('plain'))).toBe(false);
  });
});
