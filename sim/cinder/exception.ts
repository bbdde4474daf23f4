/**
 * A refused request as Cinder answers it (cinder/exception.py's classes as
 * the API renders them): HTTP code, exception class, exact message.  Shared
 * by the API and the modules it calls (quota), so that none of them imports
 * the API for it.
 */
export interface ApiError {
  http: number;
  error: string;
  message: string;
}
