import { AppError } from '../../errors.ts';

/**
 * What goes wrong talking to Azure Speech, as AppErrors with messages for county staff. All are 503: the
 * request itself was fine, the service could not be used (the speech service falls back to the offline
 * engine when allowed). `details.reason` keeps the SDK's own words, with the key removed.
 */
export const azureErrors = {
  notConfigured: () =>
    new AppError(503, 'tts_azure_not_configured', '未配置 Azure 语音服务（密钥和区域），无法使用该语音'),
  badKey: (reason: string) =>
    new AppError(503, 'tts_azure_bad_key', 'Azure 语音服务密钥无效，或与所配置的区域不符，请检查配置', {
      reason,
    }),
  forbidden: (reason: string) =>
    new AppError(503, 'tts_azure_forbidden', 'Azure 语音服务拒绝访问（403），请检查订阅状态和区域', {
      reason,
    }),
  quota: (reason: string) =>
    new AppError(503, 'tts_azure_quota', 'Azure 语音服务调用次数或额度已用完，请稍后再试或检查订阅', {
      reason,
    }),
  network: (reason: string) =>
    new AppError(503, 'tts_azure_network', '无法连接 Azure 语音服务（网络不通、被拒绝或中断），请检查网络', {
      reason,
    }),
  timeout: (ms: number) =>
    new AppError(503, 'tts_azure_timeout', `Azure 语音合成超时（${Math.round(ms / 100) / 10} 秒无结果）`, {
      timeoutMs: ms,
    }),
  serviceTimeout: (reason: string) =>
    new AppError(503, 'tts_azure_timeout', 'Azure 语音服务响应超时，请稍后重试', { reason }),
  badRequest: (reason: string) =>
    new AppError(503, 'tts_azure_bad_request', 'Azure 语音服务不接受该请求（语音名称或朗读标记有误）', {
      reason,
    }),
  service: (reason: string) =>
    new AppError(503, 'tts_azure_service', 'Azure 语音服务出错，请稍后重试', { reason }),
  badAudio: (reason: string) =>
    new AppError(503, 'tts_azure_bad_audio', 'Azure 语音服务返回的音频为空或不完整', { reason }),
  aborted: () => new AppError(503, 'tts_aborted', '语音合成已取消'),
};

/** The SDK's CancellationErrorCode values (sdk/CancellationErrorCodes.d.ts, 1.52.0); a test checks them. */
export const SdkErrorCode = {
  NoError: 0,
  AuthenticationFailure: 1,
  BadRequestParameters: 2,
  TooManyRequests: 3,
  ConnectionFailure: 4,
  ServiceTimeout: 5,
  ServiceError: 6,
  RuntimeError: 7,
  Forbidden: 8,
} as const;

/** The SDK's details without the key (it puts it in the connection URL) and cut to a loggable length. */
export function cleanReason(details: string, key: string): string {
  const noKey = key ? details.split(key).join('***') : details;
  return noKey
    .replace(/Ocp-Apim-Subscription-Key=[^&\s]+/gi, 'Ocp-Apim-Subscription-Key=***')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|Unable to contact server|1006/i;

/**
 * Maps a cancelled synthesis to an AppError. The SDK reports a refused WebSocket upgrade as ConnectionFailure
 * with "Unexpected server response: 401" in the details, so the HTTP status there decides first.
 */
export function mapCancellation(code: number, details: string, key: string): AppError {
  const reason = cleanReason(details, key);
  const status = Number(/Unexpected server response: (\d{3})/i.exec(details)?.[1] ?? 0);
  if (status === 401 || code === SdkErrorCode.AuthenticationFailure) return azureErrors.badKey(reason);
  if (status === 429 || code === SdkErrorCode.TooManyRequests || /quota|too many requests/i.test(details))
    return azureErrors.quota(reason);
  if (status === 403 || code === SdkErrorCode.Forbidden) return azureErrors.forbidden(reason);
  if (status === 400 || code === SdkErrorCode.BadRequestParameters) return azureErrors.badRequest(reason);
  if (code === SdkErrorCode.ServiceTimeout) return azureErrors.serviceTimeout(reason);
  if (status >= 500) return azureErrors.service(reason);
  if (code === SdkErrorCode.ConnectionFailure || NETWORK.test(details)) return azureErrors.network(reason);
  return azureErrors.service(reason);
}
