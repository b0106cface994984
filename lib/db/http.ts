// Small HTTP client for talking from the control host to DB nodes (etcd gateway, PD API,
// TiKV status). Every failure names the method, URL, HTTP status and response body.

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} -> HTTP ${status}${body ? `: ${body.trim().slice(0, 2000)}` : ''}`)
  }
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'DELETE'
  /** Sent as JSON when not a string. */
  body?: unknown
  headers?: Record<string, string>
  timeoutMs?: number
}

export interface HttpResponse {
  status: number
  body: string
}

/** Performs a request; network errors and timeouts are rethrown with the method and URL. */
export async function request(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
  const method = req.method ?? 'GET'
  const headers = { ...req.headers }
  let body: string | undefined
  if (req.body !== undefined) {
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
    headers['content-type'] ??= 'application/json'
  }
  try {
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(req.timeoutMs ?? 5000),
    })
    return { status: res.status, body: await res.text() }
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)
    throw new Error(`${method} ${url} failed: ${cause}`)
  }
}

/** Performs a request and parses the JSON answer; a non-2xx status throws HttpError. */
export async function requestJson<T>(url: string, req: HttpRequest = {}): Promise<T> {
  const res = await request(url, req)
  if (res.status < 200 || res.status > 299)
    throw new HttpError(req.method ?? 'GET', url, res.status, res.body)
  try {
    return JSON.parse(res.body) as T
  } catch {
    throw new Error(`${req.method ?? 'GET'} ${url}: answer is not JSON: ${res.body.slice(0, 500)}`)
  }
}
